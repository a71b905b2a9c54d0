package io.qadistill.cli;

import io.qadistill.pipeline.Pipeline;
import io.qadistill.pipeline.PipelineConfig;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = "Run every stage in order, reusing outputs that are current; by default on the bundled sample.")
final class PipelineCommand extends SparkCommand {
  /** Set by jobs/qadistill to the checkout, where the bundled data lives. */
  private static final String HOME = System.getProperty("qadistill.home", ".");

  @Option(names = "--train", description = "SQuAD JSON to learn from; default: the bundled train sample.")
  String train;

  @Option(names = "--dev", description = "SQuAD JSON to evaluate on; default: the bundled dev sample.")
  String dev;

  @Option(names = "--work", description = "Directory for all outputs; default: runs/default in the checkout.")
  String work;

  @Mixin WindowOptions window;

  @Override
  Object run(SparkSession spark) {
    PipelineConfig embedded = PipelineConfig.embedded(HOME, work != null ? work : HOME + "/runs/default");
    PipelineConfig config = new PipelineConfig(train != null ? train : embedded.train(),
        dev != null ? dev : embedded.dev(), embedded.work(), window.maxLength, window.docStride);
    return new Pipeline(config).run(spark);
  }
}
