package io.qadistill.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Files a stage adds to a directory that holds more than its output: a training run's final model beside its
 * checkpoints and metrics, a model directory's ONNX graphs beside its weights. They are staged in a hidden
 * subdirectory ({@code .staging-UUID}) and each moved in by one rename, the stage's provenance last (as
 * {@code provenanceName}), so a provenance that names this run is only ever beside all of its files. A run that
 * staged no file (training stopped before its last step, graphs that were current) publishes nothing, not even its
 * provenance: the directory keeps saying what it held before.
 */
public final class AddedFiles extends StagedOutput {
  private final String provenanceName;

  public AddedFiles(String target, Configuration hadoop, String provenanceName) {
    super(target, hadoop, t -> new Path(t, ".staging-" + UUID.randomUUID()));
    this.provenanceName = provenanceName;
  }

  @Override
  public void publish() {
    try {
      List<Path> files = Arrays.stream(fs.listStatus(staging)).filter(FileStatus::isFile).map(FileStatus::getPath)
          .filter(p -> !p.getName().equals(Provenance.FILE_NAME)).sorted().toList();
      if (!files.isEmpty()) {
        for (Path file : files) {
          move(file, new Path(target, file.getName()));
        }
        Path provenance = new Path(staging, Provenance.FILE_NAME);
        if (fs.exists(provenance)) {
          move(provenance, new Path(target, provenanceName));
        }
      }
      fs.delete(staging, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish " + staging + " into " + target, e);
    }
  }

  @Override
  public String provenance() {
    return new Path(target, provenanceName).toString();
  }

  private void move(Path from, Path to) throws IOException {
    if (fs.exists(to) && !fs.delete(to, false)) {
      throw new IOException("cannot replace " + to);
    }
    if (!fs.rename(from, to)) {
      throw new IOException("cannot rename " + from + " to " + to);
    }
  }
}
