package io.qadistill.features;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * Lazily turns a partition's example rows into feature rows (one example in memory at a time), counting
 * examples, windows and skipped examples in accumulators as it goes.
 */
final class WindowRows implements Iterator<Row> {
  private final Iterator<Row> examples;
  private final WindowTokenizer tok;
  private final LongAccumulator done;
  private final LongAccumulator windows;
  private final LongAccumulator skipped;
  private final MaxAccumulator maxWindows;
  private final ArrayDeque<Row> pending = new ArrayDeque<>();

  WindowRows(Iterator<Row> examples, WindowTokenizer tok, LongAccumulator done, LongAccumulator windows,
      LongAccumulator skipped, MaxAccumulator maxWindows) {
    this.examples = examples;
    this.tok = tok;
    this.done = done;
    this.windows = windows;
    this.skipped = skipped;
    this.maxWindows = maxWindows;
  }

  @Override
  public boolean hasNext() {
    while (pending.isEmpty() && examples.hasNext()) {
      featurize(examples.next());
    }
    return !pending.isEmpty();
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return pending.poll();
  }

  private void featurize(Row ex) {
    done.add(1);
    WindowTokenizer.Tokens question = tok.tokenize(ex.getAs("question"));
    String context = ex.getAs("context");
    WindowTokenizer.Tokens ctx = tok.tokenize(context);
    if (tok.rejection(question, ctx) != null) {
      skipped.add(1);
      return;
    }
    int answerStart = -1;
    int answerEnd = -1;
    Row answers = ex.getAs("answers");
    if (answers != null && !answers.isNullAt(0) && answers.getList(0).size() > 0) {
      String text = answers.<String>getList(0).get(0);
      answerStart = answers.<Integer>getList(1).get(0);
      answerEnd = answerStart + text.codePointCount(0, text.length());
    }
    String id = ex.getAs("id");
    var ws = tok.windows(question, ctx, answerStart, answerEnd);
    for (WindowTokenizer.Window w : ws) {
      pending.add(FeaturesTable.row(id, w.index(), w.inputIds(), w.tokenTypeIds(), w.offsetStart(), w.offsetEnd(),
          w.startPosition(), w.endPosition()));
    }
    windows.add(ws.size());
    maxWindows.add((long) ws.size());
  }
}
