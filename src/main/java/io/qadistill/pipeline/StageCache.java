package io.qadistill.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.common.InputFingerprint;
import io.qadistill.common.Output;
import io.qadistill.common.Provenance;
import io.qadistill.common.Stage;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Decides whether a stage's output can be reused: its {@code _provenance.json} (published with the data) records
 * the same configuration, and every input it read still has the fingerprint recorded there ({@link
 * InputFingerprint}: an upstream stage that ran again, or a changed input file, changes it). A rerun after a failure
 * thus starts at the first stage without a current output, and a change of option or of input reruns that stage
 * and every stage after it.
 */
final class StageCache {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Configuration hadoop;

  StageCache(Configuration hadoop) {
    this.hadoop = hadoop;
  }

  /**
   * True when {@code stage}'s output holds a complete result of its configuration over inputs unchanged since (read
   * from the provenance where its output publishes it, {@link Output#provenance()}).
   */
  boolean isCurrent(Stage<?> stage) {
    String target = stage.outputs().get(0);
    String file = stage.output(target, hadoop).provenance();
    return file != null && isCurrent(provenance(new Path(file)), stage.config());
  }

  /** True when {@code output} holds a complete result of {@code config} over inputs unchanged since. */
  boolean isCurrent(String output, Object config) {
    return isCurrent(provenance(new Path(output, Provenance.FILE_NAME)), config);
  }

  private boolean isCurrent(JsonNode made, Object config) {
    if (made == null || !Provenance.configAsWritten(config).equals(made.get("config"))
        || !made.path("inputs").isArray()) {
      return false;
    }
    for (JsonNode input : made.get("inputs")) {
      String recorded = input.path("fingerprint").asText(InputFingerprint.ABSENT); // none in an older layout
      // an input without a fingerprint (a catalog table) may have changed: read it again
      if (recorded.equals(InputFingerprint.ABSENT)
          || !InputFingerprint.of(input.path("path").asText(), hadoop).equals(recorded)) {
        return false;
      }
    }
    return true;
  }

  /** True when {@code output} holds a complete result (its provenance, written last, is there). */
  boolean isComplete(String output) {
    return provenance(new Path(output, Provenance.FILE_NAME)) != null;
  }

  private JsonNode provenance(Path path) {
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      if (!fs.exists(path)) {
        return null;
      }
      try (InputStream in = fs.open(path)) {
        return JSON.readTree(in);
      }
    } catch (IOException e) {
      return null; // unreadable: treat as absent, the stage runs again and rewrites it
    }
  }
}
