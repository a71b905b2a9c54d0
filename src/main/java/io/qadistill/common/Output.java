package io.qadistill.common;

/**
 * Where a stage publishes one of its outputs. The stage writes everything into {@link #staging()}; the runner
 * then makes it visible at {@link #target()} in one step ({@link #publish()}), or removes it after a failure
 * ({@link #discard()}), so that no reader ever sees a half-written output at the target.
 */
public interface Output {
  /** Where readers find the output once published. */
  String target();

  /** Where the stage writes: hidden from readers of the target until published. */
  String staging();

  /** Makes the staged output visible at the target. */
  void publish();

  /** Removes what was staged, after a failure; best effort. */
  void discard();

  /**
   * Where the published output's provenance is, which says whether it is current ({@code _provenance.json} in
   * the target); null for an output that no one run makes whole (a table that runs add to).
   */
  default String provenance() {
    return target() + "/" + Provenance.FILE_NAME;
  }
}
