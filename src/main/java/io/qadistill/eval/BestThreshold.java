package io.qadistill.eval;

/**
 * {@code find_best_thresh} of {@code evaluate-v2.0.py}: fed the scored questions in ascending null-odds order
 * (ties in the order of the null-odds input, as Python's stable {@code sorted} keeps the file's key order), it
 * tracks the running score of "answer only the questions whose odds are at most this one's" and keeps the
 * first odds value at which it is strictly the highest.
 */
public final class BestThreshold {
  private double current;
  private double best;
  private double bestThreshold;

  /** {@code numNoAnswer}: every unanswerable question of the data set, predicted or not, as the script counts. */
  public BestThreshold(long numNoAnswer) {
    this.current = numNoAnswer;
    this.best = numNoAnswer;
  }

  /**
   * Adds the next question: an answerable one gains its raw score; an unanswerable one loses 1 if the raw
   * prediction text is not empty (not its normalised form: "the" counts as an answer here).
   */
  public void add(double nullOdds, boolean hasAnswer, boolean predictionNonEmpty, double rawScore) {
    double diff = hasAnswer ? rawScore : predictionNonEmpty ? -1 : 0;
    current += diff;
    if (current > best) {
      best = current;
      bestThreshold = nullOdds;
    }
  }

  /** {@code 100 * best_score / len(scores)}, with {@code scored} the number of questions that have a prediction. */
  public double bestScore(long scored) {
    return 100.0 * best / scored;
  }

  public double bestThreshold() {
    return bestThreshold;
  }
}
