package io.qadistill.cli;

import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "featurize", mixinStandardHelpOptions = true,
    description = "Tokenize examples into overflow windows (features Parquet), as Hugging Face's run_qa.py does.")
final class FeaturizeCommand extends SparkCommand {
  @Option(names = "--examples", required = true, description = "The examples table written by 'read'.")
  String examples;

  @Option(names = "--out", required = true, description = "Where the features table goes (replaced).")
  String out;

  @Option(names = "--quarantine", description = "Where examples that cannot be windowed go; default: <out>-quarantine.")
  String quarantine;

  @Option(names = "--tokenizer", description = "A tokenizer.json or a model directory; default: the bundled "
      + "all-MiniLM-L6-v2 tokenizer (bert-base-uncased vocabulary).")
  String tokenizer;

  @Mixin WindowOptions window;

  @Override
  Object run(SparkSession spark) {
    String q = quarantine != null ? quarantine : out.replaceAll("/+$", "") + "-quarantine";
    FeaturizeConfig config = new FeaturizeConfig(examples, out, q, tokenizer, window.maxLength, window.docStride);
    return new FeaturizeJob(config).run(spark);
  }
}
