package io.qadistill.cli;

import io.qadistill.train.DistillLoss;
import picocli.CommandLine.Command;

@Command(name = "finetune", mixinStandardHelpOptions = true,
    description = "Fine-tune a model on the hard labels (run_squad.py's loss): distill's trainer with alpha_ce 0, "
        + "no teacher logits; e.g. a teacher from the imported all-MiniLM-L6-v2.")
final class FinetuneCommand extends TrainCommand {
  @Override
  String logits() {
    return null;
  }

  @Override
  String teacher() {
    return null;
  }

  @Override
  DistillLoss loss() {
    return DistillLoss.FINE_TUNE;
  }
}
