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

  /**
   * {@link #staging} as a local directory, for outputs written with java.nio (model directories, which the driver
   * writes as files: a cluster needs them on a file system the driver and the executors share).
   */
  public java.nio.file.Path localStaging(String target) {
    java.net.URI uri = new org.apache.hadoop.fs.Path(staging(target)).toUri();
    if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
      throw new UsageException("output " + target + " must be on the local file system (a directory the driver "
          + "writes as files, e.g. a shared mount), not " + uri.getScheme() + "://");
    }
    return java.nio.file.Path.of(uri.getPath());
  }

  /** Says what the stage's next Spark jobs do ("featurize: tokenize 10,570 examples"), for the UI and logs. */
  public void describe(String description) {
    group.describe(description);
  }
}
