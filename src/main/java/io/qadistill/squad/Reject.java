package io.qadistill.squad;

/**
 * Why a record cannot be kept, thrown inside the checks ({@link ExampleChecks} and the layouts' readers) and turned
 * into a quarantined {@link SquadRecord} by their caller. Carries no stack trace: it is an outcome, not a fault.
 */
final class Reject extends Exception {
  final Reason reason;

  Reject(Reason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }
}
