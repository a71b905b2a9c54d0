package io.qadistill.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The report's bar labels fit left of the bars: long SQuAD titles are cut at their end, not at the chart's edge. */
class HtmlReportTest {

  @Test
  void longTitleIsCutAtItsEndAndKeepsTheCount() {
    String title = "Computational_complexity_theory_of_very_long_article_names";
    String shown = HtmlReport.label(new ReportData.Bucket(title, 1234, 50, 60));
    // 294 px of label room at ≤ 6.6 px a character: at most 44 characters, the count whole at the end
    assertThat(shown).hasSizeLessThanOrEqualTo(44).startsWith("Computational_complexity_theo")
        .endsWith("… (n=1234)");
  }

  @Test
  void shortTitleIsShownWhole() {
    assertThat(HtmlReport.label(new ReportData.Bucket("Super_Bowl_50", 7, 50, 60))).isEqualTo("Super_Bowl_50 (n=7)");
    assertThat(HtmlReport.label(new ReportData.Bucket("student", -1, 0, 0))).isEqualTo("student");
  }
}
