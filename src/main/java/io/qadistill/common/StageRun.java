package io.qadistill.common;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a running stage is given: the staging directory of each output, and its job group to describe its jobs. */
public final class StageRun {
  private final Map<String, Output> byTarget = new LinkedHashMap<>();
  private final JobGroup group;

  StageRun(List<String> targets, List<Output> outputs, JobGroup group) {
    for (int i = 0; i < targets.size(); i++) {
      byTarget.put(targets.get(i), outputs.get(i));
    }
    this.group = group;
  }

  /** Where to write {@code target}, one of the stage's {@link Stage#outputs()}. */
  public String staging(String target) {
    Output output = byTarget.get(target);
    if (output == null) {
      throw new IllegalArgumentException(target + " is not one of the stage's outputs " + byTarget.keySet());
    }
    return output.staging();
  }

  /** Says what the stage's next Spark jobs do ("featurize: tokenize 10,570 examples"), for the UI and logs. */
  public void describe(String description) {
    group.describe(description);
  }
}
