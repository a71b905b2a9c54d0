package io.qadistill.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.testing.LocalSpark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturesTableTest {
  private final SparkSession spark = LocalSpark.get();

  /** [CLS] q [SEP] "paris" "is" [SEP] over the context "Paris is", as written and read back. */
  @Test
  void offsetMappingIsThePairsWithNullOutsideTheContext(@TempDir Path dir) {
    String path = dir.resolve("features").toString();
    Row written = FeaturesTable.row("q1", 0, new int[] {101, 7, 102, 3000, 2003, 102}, new int[] {0, 0, 0, 1, 1, 1},
        new int[] {-1, -1, -1, 0, 6, -1}, new int[] {-1, -1, -1, 5, 8, -1}, 3, 3);
    FeaturesTable.write(spark.createDataFrame(List.of(written), FeaturesTable.SCHEMA), path);

    Row read = FeaturesTable.read(spark, path, FeaturesTable.WINDOW, FeaturesTable.OFFSET_END,
        FeaturesTable.OFFSET_START).first();
    assertThat(read.schema().fieldNames()).containsExactly("window", "offset_end", "offset_start");
    assertThat(FeaturesTable.offsetMapping(read)).isDeepEqualTo(new int[][] {null, null, null, {0, 5}, {6, 8}, null});
  }

  @Test
  void aTableOfTheFirstLayoutIsAUsageErrorThatSaysToFeaturizeAgain(@TempDir Path dir) {
    String path = dir.resolve("old").toString();
    StructType first = new StructType()
        .add("example_id", DataTypes.StringType)
        .add("window", DataTypes.IntegerType)
        .add("input_ids", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("attention_mask", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("offset_mapping", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.IntegerType)));
    spark.createDataFrame(List.of(RowFactory.create("q1", 0, List.of(101, 102), List.of(1, 1),
        Arrays.asList(null, null))), first).write().parquet(path);

    assertThatThrownBy(() -> FeaturesTable.read(spark, path, FeaturesTable.EXAMPLE_ID))
        .isInstanceOf(UsageException.class)
        .hasMessage("the features table " + path + " has the first layout (attention_mask, offset_mapping): run "
            + "featurize again on its examples to get offset_start and offset_end");
  }
}
