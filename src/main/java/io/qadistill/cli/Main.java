package io.qadistill.cli;

import io.qadistill.common.UsageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The single entry point: {@code qadistill <stage> [options]}, locally or under spark-submit. */
@Command(
    name = "qadistill",
    mixinStandardHelpOptions = true,
    version = "qadistill 0.1.0",
    description = "Distils a question-answering teacher (BERT, DistilBERT, RoBERTa) into a small student on SQuAD "
        + "data, on Spark.",
    subcommands = {
      ReadCommand.class,
      FeaturizeCommand.class,
      SampleCommand.class,
      ImportModelCommand.class,
      ExportOnnxCommand.class,
      TeacherLogitsCommand.class,
      PipelineCommand.class,
      EvaluateCommand.class,
      PredictCommand.class,
      DistillCommand.class,
      FinetuneCommand.class
    })
public final class Main {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns the exit status: 0 done, 2 bad usage or input, 1 anything else. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof UsageException) {
        cmd.getErr().println("error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli.execute(args);
  }
}
