package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class LossChartTest {
  @Test
  void threeCurvesWhoseFirstPointsSitWhereTheirValuesSay() throws Exception {
    List<StepStats> steps = new ArrayList<>();
    for (int s = 1; s <= 50; s++) {
      steps.add(stats(s, 4.0 - s * 0.05, 3.0 - s * 0.04, 5.0 - s * 0.06));
    }
    Document svg = parse(LossChart.svg(steps, "distill: a & b"));
    NodeList lines = svg.getElementsByTagName("polyline");
    assertThat(lines.getLength()).isEqualTo(3);
    Element loss = (Element) lines.item(0);
    assertThat(loss.getAttribute("class")).isEqualTo("loss");
    String[] points = loss.getAttribute("points").split(" ");
    assertThat(points).hasSize(50);
    // y axis up to the nice ceiling of the largest value (4.94 → 5), x up to the last step
    String[] first = points[0].split(",");
    assertThat(Double.parseDouble(first[0])).isCloseTo(LossChart.x(1, 50), within(0.05));
    assertThat(Double.parseDouble(first[1])).isCloseTo(LossChart.y(3.95, 5), within(0.05));
    assertThat(svg.getDocumentElement().getTextContent()).contains("distill: a & b", "loss_ce", "loss_squad");
  }

  @Test
  void fineTuningHasNoDistillationCurveAndLongRunsAreBucketed() throws Exception {
    List<StepStats> steps = new ArrayList<>();
    for (int s = 1; s <= 2500; s++) {
      steps.add(stats(s, 1.0, 0.0, 1.0));
    }
    Document svg = parse(LossChart.svg(steps, "finetune"));
    NodeList lines = svg.getElementsByTagName("polyline");
    assertThat(lines.getLength()).isEqualTo(2);
    assertThat(((Element) lines.item(0)).getAttribute("points").split(" ")).hasSize(834); // buckets of 3 steps
  }

  @Test
  void niceCeilings() {
    assertThat(LossChart.niceCeiling(4.94)).isEqualTo(5.0);
    assertThat(LossChart.niceCeiling(0.31)).isCloseTo(0.4, within(1e-12));
    assertThat(LossChart.niceCeiling(5.37)).isEqualTo(6.0);
    assertThat(LossChart.niceCeiling(2.2)).isEqualTo(2.5);
    assertThat(LossChart.niceCeiling(10)).isEqualTo(10.0);
  }

  @Test
  void progressLine() {
    StepStats s = new StepStats(120, 2.31, 1.9, 2.72, 0, 4.4e-5, 1, 64, 10_000, 0.3, 0, 0, 0, 0, 0, 0, 0);
    assertThat(ProgressLine.format("distill", s, 1000, 20, 1280, 24.0)).isEqualTo(
        "distill: step 120/1000 (12.0%), loss 2.3100 (ce 1.9000, squad 2.7200), lr 4.40e-05, 53.3 windows/s, "
            + "ETA 17m36s");
    StepStats done = new StepStats(1000, 1, 1, 1, 0, 0, 1, 64, 10_000, 3, 0, 0, 0, 0, 0, 0, 0);
    assertThat(ProgressLine.format("finetune", done, 1000, 20, 1280, 24.0)).doesNotContain("ETA");
  }

  private static StepStats stats(int step, double loss, double ce, double squad) {
    return new StepStats(step, loss, ce, squad, 0, 1e-4, 1, 8, 1000, 0, 0.1, 0.01, 0.005, 0.002, 0.001, 0, 0);
  }

  private static Document parse(String svg) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }
}
