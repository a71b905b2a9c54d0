package io.qadistill.cli;

import io.qadistill.squad.ColumnMapping;
import io.qadistill.squad.InputFormat;
import io.qadistill.squad.ReadConfig;
import io.qadistill.squad.ReadInput;
import io.qadistill.squad.ReadJob;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qadistill read}: question-answering data to the examples table (see {@link ReadJob}). */
@Command(
    name = "read",
    mixinStandardHelpOptions = true,
    description = {
        "Reads question-answering data into an examples table (Parquet, one row per question) and a quarantine "
            + "table for records that cannot be kept (reason column: malformed_json, missing_field, wrong_type, "
            + "empty_context, empty_question, empty_answer, answer_not_in_context, answer_start_mismatch, "
            + "missing_answers, impossible_with_answers, duplicate_id, corrupt_file).",
        "Inputs: SQuAD JSON (v1.1 or v2.0 layout), or Hugging Face datasets' flat layout (id, title, context, "
            + "question, answers {text, answer_start}, optionally is_impossible; without it a question with no "
            + "answers is impossible) as Parquet, JSON Lines or a table of the session's catalog.",
        "Prints the result record (counts per reason, answer_start corrections, malformed files) as JSON."})
final class ReadCommand extends SparkCommand {
  @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
      description = "File, directory (its files of the format) or glob; any Hadoop path (file:, hdfs:, s3a:). "
          + "Repeat or list several. With --format table: one table name, db.name.")
  List<String> inputs;

  @Option(names = "--format", paramLabel = "FORMAT", converter = InputFormatConverter.class,
      description = "squad-json, parquet, jsonl (optionally compressed) or table; default: what the inputs' names "
          + "say (.parquet, .jsonl/.ndjson, .json), else squad-json.")
  InputFormat format;

  @Option(names = "--columns", split = ",", paramLabel = "COLUMN=SOURCE",
      description = "The input's names for examples columns that are named otherwise, e.g. "
          + "id=qid,context=passage (not for squad-json). Checked against the input before the job starts.")
  Map<String, String> columns;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Examples table directory; replaced when the job succeeds.")
  String out;

  @Option(names = "--quarantine", paramLabel = "DIR",
      description = "Quarantine table directory; default: DIR-quarantine beside --out.")
  String quarantine;

  @Override
  Object run(SparkSession spark) {
    ReadInput input = new ReadInput(inputs, format, new ColumnMapping(columns));
    ReadConfig config = quarantine == null ? ReadConfig.of(input, out) : new ReadConfig(input, out, quarantine);
    return new ReadJob(config).run(spark);
  }
}
