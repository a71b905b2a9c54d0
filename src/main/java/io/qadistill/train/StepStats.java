package io.qadistill.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of metrics.jsonl: a step's losses (means over its global batch: the total and its parts before their
 * weights, distillation, hard labels and hidden states), learning rate, gradient norm (before
 * clipping), sizes, times and bytes. {@code computeSeconds} is the slowest partition's gradient computation;
 * {@code updateSeconds} the slowest replica's AdamW update (of the previous step's gradient, applied at the start of
 * this step's task); {@code exchangeSeconds} the rest of the Spark step (broadcast, scheduling, aggregation, the
 * driver's clipping), of which {@code broadcastSeconds} is the driver's creating the broadcast; the rest is scheduling
 * and the results' way back. {@code inTaskSeconds} is the slowest task's time besides computing and updating (getting
 * and unpacking the broadcast, copying the parameters into the model, packing the gradient): mostly part of the
 * exchange, but a task that computed less than the slowest one may spend more than the exchange on it.
 * {@code bytesDown} is what the step broadcast to each executor (the summed gradient or a state, packed; 0 when
 * nothing), {@code bytesUp} what the partitions sent back (their packed gradients or states). With local steps,
 * one line per round of K steps ({@code step} its last): losses over all its windows, {@code gradNorm} the mean of
 * the partitions' local norms, the learning rate of its last step, {@code computeSeconds} the slowest partition's
 * whole round (its gradients and AdamW updates), {@code updateSeconds} the driver's averaging.
 */
public record StepStats(
    @JsonProperty("step") long step,
    @JsonProperty("loss") double loss,
    @JsonProperty("loss_ce") double lossCe,
    @JsonProperty("loss_squad") double lossSquad,
    @JsonProperty("loss_hidden") double lossHidden,
    @JsonProperty("lr") double learningRate,
    @JsonProperty("grad_norm") double gradNorm,
    @JsonProperty("windows") long windows,
    @JsonProperty("tokens") long tokens,
    @JsonProperty("epoch") double epoch,
    @JsonProperty("compute_s") double computeSeconds,
    @JsonProperty("exchange_s") double exchangeSeconds,
    @JsonProperty("broadcast_s") double broadcastSeconds,
    @JsonProperty("in_task_s") double inTaskSeconds,
    @JsonProperty("update_s") double updateSeconds,
    @JsonProperty("bytes_down") long bytesDown,
    @JsonProperty("bytes_up") long bytesUp) {

  public double seconds() {
    return computeSeconds + exchangeSeconds + updateSeconds;
  }
}
