package io.qadistill.squad;

import java.util.List;

/**
 * One record read from a SQuAD file: a question that is kept (reason null) or a quarantined one, or a piece of
 * the file that could not be split into questions (a malformed file, a paragraph without a qas array, ...).
 *
 * @param position the record's ordinal in its file, from 0; with the file it orders records for duplicate removal
 * @param location where it is in the file: a path such as {@code data[3].paragraphs[0].qas[2]}, or for a
 *     malformed file the parser's line and column
 * @param answerStarts code point offsets (Python semantics), corrected when they missed by one or two
 * @param corrections how many of this record's answer_start values were corrected
 * @param raw the record as it is in the file (JSON; for a question without its context), null for a malformed
 *     file; kept records carry it too, for the quarantine row should a later step find their id duplicated
 */
public record SquadRecord(
    long position,
    String location,
    String id,
    String title,
    String context,
    String question,
    List<String> answerTexts,
    List<Integer> answerStarts,
    boolean impossible,
    int corrections,
    Reason reason,
    String detail,
    String raw) {

  static SquadRecord kept(long position, String location, String id, String title, String context, String question,
      List<String> answerTexts, List<Integer> answerStarts, boolean impossible, int corrections, String raw) {
    return new SquadRecord(position, location, id, title, context, question, answerTexts, answerStarts, impossible,
        corrections, null, null, raw);
  }

  static SquadRecord quarantined(long position, String location, String id, Reason reason, String detail, String raw) {
    return new SquadRecord(position, location, id, null, null, null, null, null, false, 0, reason, detail, raw);
  }

  public boolean isKept() {
    return reason == null;
  }
}
