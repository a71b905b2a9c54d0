package io.qadistill.squad;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The examples table {@link ReadJob} writes: one row per question, in the layout of Hugging Face's {@code squad} /
 * {@code squad_v2} datasets plus {@code is_impossible}, so Python users read it as it is. {@code answer_start} counts
 * code points, as in SQuAD's JSON ({@link ContextText}).
 */
public final class ExamplesTable {
  public static final String ID = "id";
  public static final String TITLE = "title";
  public static final String CONTEXT = "context";
  public static final String QUESTION = "question";
  public static final String ANSWERS = "answers";
  public static final String IS_IMPOSSIBLE = "is_impossible";
  /** The fields of {@link #ANSWERS}: two lists of one length, an answer's text and where it starts. */
  public static final String TEXT = "text";
  public static final String ANSWER_START = "answer_start";

  public static final StructType SCHEMA = new StructType()
      .add(ID, DataTypes.StringType, false)
      .add(TITLE, DataTypes.StringType, true)
      .add(CONTEXT, DataTypes.StringType, false)
      .add(QUESTION, DataTypes.StringType, false)
      .add(ANSWERS, new StructType()
          .add(TEXT, DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add(ANSWER_START, DataTypes.createArrayType(DataTypes.IntegerType, false), false), false)
      .add(IS_IMPOSSIBLE, DataTypes.BooleanType, false);

  /** The column names, in order. */
  public static final List<String> COLUMNS = List.of(SCHEMA.fieldNames());

  private ExamplesTable() {}
}
