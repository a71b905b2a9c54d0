package io.qadistill.squad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadConfigTest {
  @Test
  void quarantineDefaultsToASiblingOfTheExamples() {
    assertThat(ReadConfig.of(List.of("in.json"), "s3a://bucket/run/examples/").quarantine())
        .isEqualTo("s3a://bucket/run/examples-quarantine");
  }

  @Test
  void overlappingOutputsAreRefusedNamingBoth() {
    assertThatThrownBy(() -> new ReadConfig(List.of("in.json"), "out/examples", "out/examples/quarantine"))
        .isInstanceOf(UsageException.class).hasMessageContaining("out/examples/quarantine").hasMessageContaining("overlap");
    assertThatThrownBy(() -> new ReadConfig(List.of("in.json"), "out/x", "out/x/"))
        .isInstanceOf(UsageException.class);
    assertThat(new ReadConfig(List.of("in.json"), "out/x", "out/xy").quarantine()).isEqualTo("out/xy");
  }

  @Test
  void emptyValuesAreRefused() {
    assertThatThrownBy(() -> ReadConfig.of(List.of(), "out")).isInstanceOf(UsageException.class)
        .hasMessageContaining("at least one");
    assertThatThrownBy(() -> ReadConfig.of(List.of("a.json", " "), "out")).isInstanceOf(UsageException.class)
        .hasMessageContaining("[a.json,  ]");
    assertThatThrownBy(() -> ReadConfig.of(List.of("a.json"), "")).isInstanceOf(UsageException.class);
  }
}
