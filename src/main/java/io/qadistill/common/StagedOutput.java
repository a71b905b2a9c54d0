package io.qadistill.common;

import java.io.IOException;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output staged on its target's own file system (so that publishing is a rename there), whatever the kind of
 * publication: what {@link ReplacedDirectory}, {@link AddedFiles} and the logits table's runs share.
 */
public abstract class StagedOutput implements Output {
  private static final Logger LOG = LoggerFactory.getLogger(StagedOutput.class);

  protected final FileSystem fs;
  protected final Path target;
  protected final Path staging;

  /** {@code stagingOf}: the staging directory for the target (qualified: scheme and authority included). */
  protected StagedOutput(String target, Configuration hadoop, UnaryOperator<Path> stagingOf) {
    try {
      Path path = new Path(target);
      this.fs = path.getFileSystem(hadoop);
      this.target = fs.makeQualified(path);
    } catch (IOException e) {
      throw new UsageException("cannot open the file system of " + target + ": " + e.getMessage(), e);
    }
    this.staging = stagingOf.apply(this.target);
  }

  @Override
  public String target() {
    return target.toString();
  }

  @Override
  public String staging() {
    return staging.toString();
  }

  @Override
  public void discard() {
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      // the staging directory stays, hidden from readers; the next run uses a fresh name
      LOG.warn("cannot remove {} ({}): remove it by hand", staging, e.getMessage());
    }
  }
}
