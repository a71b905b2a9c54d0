package io.qadistill.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The loss curves of a run as an SVG line chart (no library: a few polylines, axes with round ticks, a legend):
 * the loss, its distillation part and its hard-label part (each before its alpha) per step. At most
 * {@value #MAX_POINTS} points per curve: longer runs are averaged in equal buckets of steps.
 */
public final class LossChart {
  public static final String NAME = "loss.svg";
  static final int MAX_POINTS = 1000;
  private static final int WIDTH = 720;
  private static final int HEIGHT = 400;
  private static final int LEFT = 60;
  private static final int RIGHT = 20;
  private static final int TOP = 30;
  private static final int BOTTOM = 40;

  private record Curve(String label, String color, ToDoubleFunction<StepStats> value) {}

  private LossChart() {}

  /**
   * The chart of {@code steps}; {@code title} goes on top. A curve that is 0 throughout (loss_ce when fine-tuning,
   * loss_hidden without a hidden-state term) is left out.
   */
  public static String svg(List<StepStats> steps, String title) {
    List<Curve> curves = new ArrayList<>(List.of(new Curve("loss", "#1f77b4", StepStats::loss),
        new Curve("loss_ce (distillation)", "#ff7f0e", StepStats::lossCe),
        new Curve("loss_squad (hard labels)", "#2ca02c", StepStats::lossSquad),
        new Curve("loss_hidden (hidden states)", "#9467bd", StepStats::lossHidden)));
    curves.removeIf(c -> steps.stream().allMatch(s -> c.value().applyAsDouble(s) == 0));
    List<double[]> points = new ArrayList<>(); // per curve: x0, y0, x1, y1, …
    double maxX = steps.isEmpty() ? 1 : steps.get(steps.size() - 1).step();
    double maxY = 0;
    for (Curve c : curves) {
      double[] xy = buckets(steps, c.value());
      points.add(xy);
      for (int i = 1; i < xy.length; i += 2) {
        maxY = Math.max(maxY, xy[i]);
      }
    }
    double yTop = niceCeiling(maxY > 0 ? maxY : 1);
    double xTop = Math.max(1, maxX);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
    for (int i = 0; i <= 5; i++) {
      double v = yTop * i / 5;
      double y = y(v, yTop);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4,
          label(v)));
      double s = xTop * i / 5;
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
          x(s, xTop), HEIGHT - BOTTOM + 16, label(Math.round(s))));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>%n",
        (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 6));
    svg.append(String.format(Locale.ROOT, "<path d=\"M%d %d V%d H%d\" fill=\"none\" stroke=\"black\"/>%n", LEFT, TOP,
        HEIGHT - BOTTOM, WIDTH - RIGHT));
    for (int c = 0; c < curves.size(); c++) {
      double[] xy = points.get(c);
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < xy.length; i += 2) {
        pts.append(String.format(Locale.ROOT, "%s%.1f,%.1f", i == 0 ? "" : " ", x(xy[i], xTop), y(xy[i + 1], yTop)));
      }
      svg.append(String.format(Locale.ROOT, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
          + "points=\"%s\"/>%n", curves.get(c).label().split(" ")[0], curves.get(c).color(), pts));
      int ly = TOP + 8 + 16 * c;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
              + "stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT - 190, ly, WIDTH - RIGHT - 170,
          ly, curves.get(c).color(), WIDTH - RIGHT - 164, ly + 4, escape(curves.get(c).label())));
    }
    return svg.append("</svg>\n").toString();
  }

  /** (step, value) points, averaged in equal buckets of steps when there are more than MAX_POINTS. */
  private static double[] buckets(List<StepStats> steps, ToDoubleFunction<StepStats> value) {
    int n = steps.size();
    int size = Math.max(1, (n + MAX_POINTS - 1) / MAX_POINTS);
    int count = (n + size - 1) / size;
    double[] xy = new double[2 * count];
    for (int b = 0; b < count; b++) {
      double sx = 0;
      double sy = 0;
      int from = b * size;
      int to = Math.min(n, from + size);
      for (int i = from; i < to; i++) {
        sx += steps.get(i).step();
        sy += value.applyAsDouble(steps.get(i));
      }
      xy[2 * b] = sx / (to - from);
      xy[2 * b + 1] = sy / (to - from);
    }
    return xy;
  }

  static double x(double step, double xTop) {
    return LEFT + (WIDTH - LEFT - RIGHT) * step / xTop;
  }

  static double y(double value, double yTop) {
    return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * Math.min(value, yTop) / yTop;
  }

  /** The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k that is ≥ v. */
  static double niceCeiling(double v) {
    double base = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
      if (m * base >= v * (1 - 1e-12)) {
        return m * base;
      }
    }
    return 10 * base;
  }

  private static String label(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.3g", v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
