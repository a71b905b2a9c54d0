package io.qadistill.cli;

import io.qadistill.pipeline.ExampleSample;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sample", mixinStandardHelpOptions = true,
    description = {"A fixed sample of an examples table, as pipeline's --train-examples takes it: the N examples "
        + "whose ids hash lowest, after the --skip lowest. With --skip set to the training sample's size it gives "
        + "questions held out from training, spread over the same articles (choose hyper-parameters on them, never "
        + "on dev).",
        "Prints the result record (examples, kept) as JSON."})
final class SampleCommand extends SparkCommand {
  @Option(names = "--examples", required = true, description = "The examples table written by 'read'.")
  String examples;

  @Option(names = "--out", required = true, description = "Where the sample goes (replaced).")
  String out;

  @Option(names = "--size", required = true, paramLabel = "N", description = "Examples in the sample.")
  int size;

  @Option(names = "--skip", defaultValue = "0", paramLabel = "K",
      description = "Examples skipped first, in the same order (default: ${DEFAULT-VALUE}).")
  int skip;

  @Override
  Object run(SparkSession spark) {
    return new ExampleSample(new ExampleSample.Config(examples, out, size, skip)).run(spark);
  }
}
