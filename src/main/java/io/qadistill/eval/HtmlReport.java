package io.qadistill.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders {@link ReportData} as one self-contained HTML page: inline CSS, charts as inline SVG, no script and
 * nothing fetched, so it opens from disk or as a mail attachment.
 */
public final class HtmlReport {
  private static final int CHART_WIDTH = 800;
  private static final int LABEL_WIDTH = 300;
  /** Width of a character at the charts' 11 px sans-serif, on the wide side, so that a label never overflows. */
  private static final double CHAR_WIDTH = 6.6;
  private static final int BAR_HEIGHT = 11;
  private static final String EM_COLOUR = "#8fb3d9";
  private static final String F1_COLOUR = "#2e6da4";
  /** The second model's colour where two models' F1 stand side by side. */
  private static final String B_COLOUR = "#e8a33d";

  private HtmlReport() {}

  public static String render(ReportData data) {
    StringBuilder h = new StringBuilder(32_000);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>SQuAD evaluation: ").append(esc(data.model())).append("</title>\n<style>")
        .append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1000px;")
        .append("color:#222;padding:0 1em}h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:")
        .append("1px solid #ddd}table{border-collapse:collapse;margin:.5em 0}td,th{padding:3px 10px;text-align:left;")
        .append("border-bottom:1px solid #eee;vertical-align:top}th{background:#f5f5f5}td.n{text-align:right;")
        .append("font-variant-numeric:tabular-nums}.big{font-size:2em;font-weight:600}.cards{display:flex;gap:2em}")
        .append(".card{border:1px solid #ddd;border-radius:6px;padding:.6em 1.2em}.muted{color:#777;")
        .append("font-size:.9em}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;")
        .append("vertical-align:middle}</style></head><body>\n");
    h.append("<h1>SQuAD ").append(data.version().label()).append(" evaluation: ").append(esc(data.model()))
        .append("</h1>\n");
    overall(h, data);
    if (!data.models().isEmpty()) {
      models(h, data.models());
    }
    h.append("<h2>Distribution of F1 over questions</h2>\n");
    histogram(h, data.f1Histogram());
    breakdowns(h, data);
    h.append("<h2>Worst articles</h2>\n");
    chart(h, data.worstArticles());
    table(h, data.worstArticles(), "Article");
    if (data.comparison() != null) {
      comparison(h, data.summary(), data.comparison());
    }
    h.append("<h2>Inputs</h2>\n<ul>");
    data.inputs().forEach(i -> h.append("<li><code>").append(esc(i)).append("</code></li>"));
    h.append("</ul>\n<p class=\"muted\">Generated ").append(esc(data.createdAt()))
        .append(" by qadistill evaluate. Metrics as the official evaluate-")
        .append(data.version().label()).append(".py.</p>\n</body></html>\n");
    return h.toString();
  }

  /** EM and F1 per bucket; with a comparison, the two models' F1 side by side. */
  private static void breakdowns(StringBuilder h, ReportData data) {
    ReportData.Comparison c = data.comparison();
    h.append("<h2>Breakdowns</h2>\n<p class=\"legend muted\">Bars: ");
    if (c == null) {
      h.append("<span style=\"background:").append(EM_COLOUR).append("\"></span>exact match <span style=\"background:")
          .append(F1_COLOUR).append("\"></span>F1");
    } else {
      h.append("F1 of <span style=\"background:").append(F1_COLOUR).append("\"></span>").append(esc(c.modelA()))
          .append(" <span style=\"background:").append(B_COLOUR).append("\"></span>").append(esc(c.modelB()));
    }
    h.append(", in %; n = questions counted").append(c == null ? "" : " for " + esc(c.modelA())).append(".</p>\n");
    for (int i = 0; i < data.breakdowns().size(); i++) {
      ReportData.Breakdown b = data.breakdowns().get(i);
      h.append("<h3>").append(esc(b.name())).append("</h3>\n");
      if (c == null) {
        chart(h, b.buckets());
      } else {
        f1Chart(h, b.buckets(), c.breakdownsB().get(i).buckets());
      }
    }
  }

  /** Size and speed: a table, and bars of each relative to the largest. */
  private static void models(StringBuilder h, List<ModelFacts> models) {
    double maxSpeed = models.stream().mapToDouble(ModelFacts::windowsPerSecond).max().orElse(1);
    double maxBytes = models.stream().mapToLong(ModelFacts::bytes).max().orElse(1);
    h.append("<h2>Models: size and speed</h2>\n<table><tr><th>model</th><th>layers</th><th>hidden</th>")
        .append("<th>parameters</th><th>MB</th><th>runtime</th><th>windows/s</th><th>speed-up</th></tr>");
    double slowest = models.stream().mapToDouble(ModelFacts::windowsPerSecond).min().orElse(1);
    for (ModelFacts m : models) {
      h.append("<tr><td>").append(esc(m.name())).append("<div class=\"muted\">").append(esc(m.dir()))
          .append("</div></td><td class=\"n\">").append(m.layers()).append("</td><td class=\"n\">")
          .append(m.hidden()).append("</td><td class=\"n\">")
          .append(String.format(Locale.ROOT, "%,d", m.parameters())).append("</td><td class=\"n\">")
          .append(format(m.bytes() / 1e6)).append("</td><td>").append(esc(m.runtime()))
          .append("</td><td class=\"n\">").append(format(m.windowsPerSecond()))
          .append("</td><td class=\"n\">").append(format(m.windowsPerSecond() / slowest)).append("×</td></tr>");
    }
    h.append("</table>\n");
    List<ReportData.Bucket> rows = models.stream().map(m -> new ReportData.Bucket(m.name(), -1, 0, 0)).toList();
    h.append("<p class=\"legend muted\">Bars, in % of the largest: <span style=\"background:").append(EM_COLOUR)
        .append("\"></span>size <span style=\"background:").append(F1_COLOUR).append("\"></span>speed. Speed: ")
        .append("windows/s on the same ").append("dev windows, batched by length, ")
        .append(models.get(0).threads()).append(" threads, the models taking turns.</p>\n");
    bars(h, rows, models.stream().map(m -> new double[] {100 * m.bytes() / maxBytes,
        100 * m.windowsPerSecond() / maxSpeed}).toList(), EM_COLOUR, F1_COLOUR);
  }

  private static void overall(StringBuilder h, ReportData data) {
    Map<String, Object> s = data.summary();
    boolean v1 = data.version() == SquadVersion.V1_1;
    h.append("<div class=\"cards\">");
    card(h, "Exact match", s.get(v1 ? "exact_match" : "exact"));
    card(h, "F1", s.get("f1"));
    if (!v1) {
      card(h, "Questions scored", s.get("total"));
    }
    h.append("</div>\n<h2>Summary (official keys)</h2>\n<table>");
    s.forEach((k, v) -> h.append("<tr><th>").append(esc(k)).append("</th><td class=\"n\">").append(format(k, v))
        .append("</td></tr>"));
    h.append("</table>\n");
  }

  private static void card(StringBuilder h, String label, Object value) {
    h.append("<div class=\"card\"><div class=\"muted\">").append(label).append("</div><div class=\"big\">")
        .append(format(value)).append("</div></div>");
  }

  /** Horizontal bars, EM above F1, one pair per bucket, on a 0–100 scale. */
  static void chart(StringBuilder h, List<ReportData.Bucket> buckets) {
    bars(h, buckets, buckets.stream().map(b -> new double[] {b.exact(), b.f1()}).toList(), EM_COLOUR, F1_COLOUR);
  }

  /** F1 of model A above model B's, one pair per bucket of A ({@code b} matched by label; 0 where B has none). */
  static void f1Chart(StringBuilder h, List<ReportData.Bucket> a, List<ReportData.Bucket> b) {
    Map<String, Double> f1B = new HashMap<>();
    b.forEach(bucket -> f1B.put(bucket.label(), bucket.f1()));
    bars(h, a, a.stream().map(bucket -> new double[] {bucket.f1(), f1B.getOrDefault(bucket.label(), 0.0)})
        .toList(), F1_COLOUR, B_COLOUR);
  }

  /**
   * One group of horizontal bars per bucket, {@code values.get(i)[k]} in {@code colours[k]}, on a 0–100 scale; a
   * bucket's count is shown unless negative.
   */
  private static void bars(StringBuilder h, List<ReportData.Bucket> buckets, List<double[]> values,
      String... colours) {
    int rowHeight = colours.length * BAR_HEIGHT + 10;
    int height = buckets.size() * rowHeight + 24;
    int plot = CHART_WIDTH - LABEL_WIDTH - 60;
    h.append("<svg width=\"").append(CHART_WIDTH).append("\" height=\"")
        .append(height).append("\" font-size=\"11\" role=\"img\">");
    for (int tick = 0; tick <= 100; tick += 25) {
      double x = LABEL_WIDTH + plot * tick / 100.0;
      h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" y2=\"%d\" stroke=\"#e5e5e5\"/>"
          + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#777\">%d</text>",
          x, x, height - 16, x, height - 4, tick));
    }
    for (int i = 0; i < buckets.size(); i++) {
      ReportData.Bucket b = buckets.get(i);
      int y = i * rowHeight + 4;
      h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\"><title>%s</title>%s</text>",
          LABEL_WIDTH - 6, y + BAR_HEIGHT + 4, esc(b.label()), esc(label(b))));
      for (int k = 0; k < colours.length; k++) {
        bar(h, y + k * BAR_HEIGHT, plot, values.get(i)[k], colours[k]);
      }
    }
    h.append("</svg>\n");
  }

  /**
   * A bar's label as shown: the bucket's name and count, the name cut with "…" where the whole would not fit left of
   * the bars (the text is right-aligned there, so an overlong one would be cut at the chart's left edge instead).
   * The full name is the label's tooltip.
   */
  static String label(ReportData.Bucket b) {
    String count = b.count() < 0 ? "" : " (n=" + b.count() + ")";
    int fits = (int) ((LABEL_WIDTH - 6) / CHAR_WIDTH) - count.length();
    String name = b.label().codePointCount(0, b.label().length()) <= fits ? b.label()
        : b.label().substring(0, b.label().offsetByCodePoints(0, fits - 1)) + "…";
    return name + count;
  }

  /** Vertical bars: questions per F1 bin, with the count above each bar. */
  static void histogram(StringBuilder h, ReportData.Histogram hist) {
    int plotHeight = 160;
    int barWidth = 70;
    int gap = 20;
    long max = Math.max(1, hist.counts().stream().mapToLong(Long::longValue).max().orElse(1));
    int width = hist.counts().size() * (barWidth + gap) + gap;
    h.append("<svg width=\"").append(width).append("\" height=\"").append(plotHeight + 50)
        .append("\" font-size=\"11\" role=\"img\">");
    for (int i = 0; i < hist.counts().size(); i++) {
      long n = hist.counts().get(i);
      double barHeight = plotHeight * (double) n / max;
      int x = gap + i * (barWidth + gap);
      double y = 20 + plotHeight - barHeight;
      h.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
          + "fill=\"%s\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%d</text>"
          + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>",
          x, y, barWidth, barHeight, F1_COLOUR, x + barWidth / 2, y - 4, n, x + barWidth / 2, plotHeight + 36,
          esc(hist.labels().get(i))));
    }
    h.append("</svg>\n<p class=\"muted\">").append(hist.questions()).append(" questions counted; ")
        .append(hist.exactMatches()).append(" exact matches (").append(format(hist.questions() == 0 ? 0.0
            : 100.0 * hist.exactMatches() / hist.questions())).append("%).</p>\n");
  }

  private static void bar(StringBuilder h, int y, int plot, double value, String colour) {
    double w = plot * Math.max(0, Math.min(100, value)) / 100.0;
    h.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
        + "<text x=\"%.1f\" y=\"%d\" fill=\"#333\">%.1f</text>",
        LABEL_WIDTH, y, w, BAR_HEIGHT - 1, colour, LABEL_WIDTH + w + 4, y + BAR_HEIGHT - 2, value));
  }

  private static void table(StringBuilder h, List<ReportData.Bucket> buckets, String what) {
    h.append("<table><tr><th>").append(what).append("</th><th>questions</th><th>EM</th><th>F1</th></tr>");
    for (ReportData.Bucket b : buckets) {
      h.append("<tr><td>").append(esc(b.label())).append("</td><td class=\"n\">").append(b.count())
          .append("</td><td class=\"n\">").append(format(b.exact())).append("</td><td class=\"n\">")
          .append(format(b.f1())).append("</td></tr>");
    }
    h.append("</table>\n");
  }

  private static void comparison(StringBuilder h, Map<String, Object> summaryA, ReportData.Comparison c) {
    String a = esc(c.modelA());
    String b = esc(c.modelB());
    h.append("<h2>").append(a).append(" vs ").append(b).append("</h2>\n<table>")
        .append("<tr><th></th><th>").append(a).append("</th><th>").append(b).append("</th></tr>");
    for (Map.Entry<String, Object> e : c.summaryB().entrySet()) {
      h.append("<tr><th>").append(esc(e.getKey())).append("</th><td class=\"n\">")
          .append(format(e.getKey(), summaryA.get(e.getKey()))).append("</td><td class=\"n\">")
          .append(format(e.getKey(), e.getValue())).append("</td></tr>");
    }
    h.append("<tr><th>mean F1 on the ").append(c.questions()).append(" questions both count</th><td class=\"n\">")
        .append(format(c.f1A())).append("</td><td class=\"n\">").append(format(c.f1B())).append("</td></tr></table>\n")
        .append("<p>Same normalised prediction on <b>").append(c.agree()).append("</b> of ").append(c.questions())
        .append(" questions (").append(format(c.questions() == 0 ? 0 : 100.0 * c.agree() / c.questions()))
        .append("%).</p>\n");
    long[] parts = {c.bothRight(), c.onlyA(), c.onlyB(), c.neither()};
    String[] labels = {"both exact", "only " + a, "only " + b, "neither"};
    String[] colours = {"#2e6da4", "#7fbf7f", "#e8a33d", "#d9d9d9"};
    int width = CHART_WIDTH - 20;
    h.append("<svg width=\"").append(CHART_WIDTH)
        .append("\" height=\"60\" font-size=\"11\" role=\"img\">");
    double x = 0;
    for (int i = 0; i < parts.length; i++) {
      double w = c.questions() == 0 ? 0 : width * (double) parts[i] / c.questions();
      h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"24\" fill=\"%s\"/>",
          x, w, colours[i]));
      h.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"36\" width=\"10\" height=\"10\" fill=\"%s\"/>"
          + "<text x=\"%d\" y=\"45\">%s: %d</text>", i * 175, colours[i], i * 175 + 14, labels[i], parts[i]));
      x += w;
    }
    h.append("</svg>\n<h3>Questions where they differ most (by F1)</h3>\n<table><tr><th>question</th><th>gold</th>")
        .append("<th>").append(a).append("</th><th>F1</th><th>").append(b).append("</th><th>F1</th></tr>");
    for (ReportData.Difference d : c.differences()) {
      h.append("<tr><td>").append(esc(d.question())).append("<div class=\"muted\">").append(esc(d.title()))
          .append(" · ").append(esc(d.id())).append("</div></td><td>").append(esc(d.gold())).append("</td><td>")
          .append(esc(d.predictionA())).append("</td><td class=\"n\">").append(format(100 * d.f1A()))
          .append("</td><td>").append(esc(d.predictionB())).append("</td><td class=\"n\">")
          .append(format(100 * d.f1B())).append("</td></tr>");
    }
    h.append("</table>\n");
  }

  /** A summary value: thresholds (null odds) as they are, percentages to 2 decimals. */
  private static String format(String key, Object v) {
    return key.endsWith("_thresh") ? esc(String.valueOf(v)) : format(v);
  }

  private static String format(Object v) {
    if (v instanceof Double d) {
      return String.format(Locale.ROOT, "%.2f", d);
    }
    return esc(String.valueOf(v));
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
