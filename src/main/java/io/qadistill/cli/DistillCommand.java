package io.qadistill.cli;

import io.qadistill.train.DistillDefaults;
import io.qadistill.train.DistillLoss;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

@Command(name = "distill", mixinStandardHelpOptions = true,
    description = "Distil a teacher into a student on Spark: the loss of Hugging Face's run_squad_w_distillation.py "
        + "on the teacher's logits (read, never recomputed), data-parallel with a driver-coordinated step.",
    defaultValueProvider = DistillCommand.Defaults.class)
final class DistillCommand extends TrainCommand {
  @Option(names = "--logits", required = true, paramLabel = "DIR",
      description = "The teacher's logits (the --out of teacher-logits).")
  String logits;

  @Option(names = "--teacher", paramLabel = "FINGERPRINT|DIR",
      description = "Whose logits to use when --logits holds several teachers': the teacher's fingerprint, or its "
          + "model directory (which --alpha-hidden needs).")
  String teacher;

  @Option(names = "--temperature", defaultValue = "" + DistillLoss.TEMPERATURE, description = "T (default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--alpha-ce", defaultValue = "" + DistillLoss.ALPHA_CE,
      description = "Weight of the distillation term (default: ${DEFAULT-VALUE}).")
  double alphaCe;

  @Option(names = "--alpha-squad", defaultValue = "" + DistillLoss.ALPHA_SQUAD,
      description = "Weight of the hard-label cross-entropy (default: ${DEFAULT-VALUE}).")
  double alphaSquad;

  @Option(names = "--alpha-hidden", defaultValue = "0",
      description = "Weight of DistilBERT's cosine loss between the student's last hidden state and the teacher's, "
          + "which the teacher computes during training (forward only; about the cost of a forward pass of the "
          + "teacher per step); needs --teacher DIR (default: ${DEFAULT-VALUE}, none).")
  double alphaHidden;

  @Override
  String logits() {
    return logits;
  }

  @Override
  String teacher() {
    return teacher;
  }

  @Override
  DistillLoss loss() {
    return new DistillLoss(temperature, alphaCe, alphaSquad, alphaHidden);
  }

  /** distill's own defaults for the options it shares with finetune ({@link DistillDefaults}). */
  static final class Defaults implements IDefaultValueProvider {
    private static final Map<String, Object> VALUES = Map.of("--epochs", DistillDefaults.EPOCHS,
        "--batch-size", DistillDefaults.BATCH_SIZE, "--learning-rate", DistillDefaults.LEARNING_RATE,
        "--warmup-ratio", DistillDefaults.WARMUP_RATIO);

    @Override
    public String defaultValue(ArgSpec arg) {
      Object value = arg instanceof OptionSpec option ? VALUES.get(option.longestName()) : null;
      return value == null ? null : value.toString();
    }
  }
}
