package io.qadistill.squad;

import java.util.List;
import java.util.Map;

/**
 * What {@link ReadJob} did. Counts are of records: each question (row, line) seen, plus one per structure that
 * could not be split into questions (for SQuAD JSON see {@link SquadParser}; a malformed SQuAD JSON file or a cut
 * compressed file is one record, after the records read before its error). Always
 * {@code read == kept + quarantined}, and {@code quarantined} is the sum of {@code quarantinedByReason}.
 *
 * @param files the input files read (a table's data files; 1 for a table whose files are not known)
 * @param read records read
 * @param kept examples written
 * @param impossible kept examples with is_impossible true (v2.0)
 * @param quarantined records written to the quarantine table
 * @param quarantinedByReason quarantined records per {@link Reason#code()}, only reasons that occurred
 * @param answerStartCorrections answer_start values moved by one or two code points onto their text, in kept examples
 * @param malformedFiles the files with content that could not be parsed: not well-formed JSON or not valid UTF-8
 *     (a SQuAD JSON file, a line of a JSON Lines file), or compressed data cut short or damaged
 * @param seconds wall time of the job, listing to commit
 * @param examplesPerSecond kept examples per second of wall time
 * @param examples the examples table's directory
 * @param quarantine the quarantine table's directory
 */
public record ReadResult(
    int files,
    long read,
    long kept,
    long impossible,
    long quarantined,
    Map<String, Long> quarantinedByReason,
    long answerStartCorrections,
    List<String> malformedFiles,
    double seconds,
    double examplesPerSecond,
    String examples,
    String quarantine) {}
