package io.qadistill.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * An output directory written in a hidden sibling ({@code .NAME.staging-UUID}) and moved into place only when it
 * is complete, so a failed or killed run never leaves a half-written table at the final path: readers see the old
 * table, or none between the delete and the rename, never a partial one. The move is a rename: atomic on HDFS
 * and local disks, a copy on object stores (S3), where the window is longer but the staging name stays hidden.
 */
public final class ReplacedDirectory extends StagedOutput {
  public ReplacedDirectory(String target, Configuration conf) {
    super(target, conf, ReplacedDirectory::sibling);
  }

  private static Path sibling(Path target) {
    if (target.getParent() == null) {
      throw new UsageException("output " + target + " is a root directory: give a directory below it");
    }
    return new Path(target.getParent(), "." + target.getName() + ".staging-" + UUID.randomUUID());
  }

  /** Replaces the target with the staged directory. */
  @Override
  public void publish() {
    try {
      if (fs.exists(target) && !fs.delete(target, true)) {
        throw new IOException("cannot delete the previous output " + target);
      }
      if (!fs.rename(staging, target)) {
        throw new IOException("cannot rename " + staging + " to " + target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
