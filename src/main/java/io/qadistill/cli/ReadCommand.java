package io.qadistill.cli;

import io.qadistill.squad.ReadConfig;
import io.qadistill.squad.ReadJob;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qadistill read}: SQuAD JSON to the examples table (see {@link ReadJob}). */
@Command(
    name = "read",
    mixinStandardHelpOptions = true,
    description = {
        "Reads SQuAD JSON (v1.1 or v2.0 layout) into an examples table (Parquet, one row per question) and a "
            + "quarantine table for records that cannot be kept (reason column: malformed_json, missing_field, "
            + "wrong_type, empty_context, empty_question, empty_answer, answer_not_in_context, "
            + "answer_start_mismatch, missing_answers, impossible_with_answers, duplicate_id).",
        "Prints the result record (counts per reason, answer_start corrections, malformed files) as JSON."})
final class ReadCommand extends SparkCommand {
  @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
      description = "SQuAD JSON file, directory (its .json files) or glob; any Hadoop path (file:, hdfs:, s3a:). "
          + "Repeat or list several.")
  List<String> inputs;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Examples table directory; replaced when the job succeeds.")
  String out;

  @Option(names = "--quarantine", paramLabel = "DIR",
      description = "Quarantine table directory; default: DIR-quarantine beside --out.")
  String quarantine;

  @Override
  Object run(SparkSession spark) {
    ReadConfig config = quarantine == null ? ReadConfig.of(inputs, out) : new ReadConfig(inputs, out, quarantine);
    return new ReadJob(config).run(spark);
  }
}
