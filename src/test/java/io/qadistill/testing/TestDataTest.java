package io.qadistill.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The data the tests and benchmarks read ships with the checkout, and nothing resolves outside it. */
class TestDataTest {

  @Test
  void everyDataFileResolvesInsideTheCheckout() throws IOException {
    Path project = TestData.projectDir().toRealPath();
    for (Path p : List.of(TestData.squadDir(), TestData.devV11(), TestData.trainV11(), TestData.devV20())) {
      assertThat(p.toRealPath()).as("%s must lie inside the checkout %s", p, project).startsWith(project);
    }
  }

  @Test
  void unpackedFilesAreTheOnesTheDataReadmeNames() throws Exception {
    // sha256 of the uncompressed files as data/squad/README.md records them (the official dev-v1.1 is byte for byte)
    assertThat(sha256(TestData.devV11()))
        .isEqualTo("95aa6a52d5d6a735563366753ca50492a658031da74f301ac5238b03966972c9");
    assertThat(sha256(TestData.devV20()))
        .isEqualTo("f2047f507c5e7397da499f0deb8a5e84888f221a86f806c9da50dfbf0b95cce0");
    assertThat(sha256(TestData.trainV11()))
        .isEqualTo("594be99ff850a6cdb1576b6e5ed058f97e6de90d781bc20822bca4e8bbc1b9dd");
  }

  @Test
  void noBuildFileOrSourceNamesAFolderBesideTheCheckout() throws IOException {
    Path project = TestData.projectDir();
    List<Path> roots = List.of(project.resolve("pom.xml"), project.resolve("jobs"), project.resolve("conf"),
        project.resolve("src"), project.resolve("README.md"), project.resolve("docs"), project.resolve(".ci"));
    for (Path root : roots) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(Files::isRegularFile).filter(TestDataTest::isText).toList()) {
          assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).as("%s names a folder beside the checkout, which a user's clone does not have", f)
              .doesNotContain("../" + "shared");
        }
      }
    }
  }

  private static boolean isText(Path f) {
    String name = f.getFileName().toString();
    return Stream.of(".java", ".xml", ".md", ".conf", ".options", ".sh", ".py", ".json", ".properties", "run",
        "qadistill", "bench", ".cron").anyMatch(name::endsWith);
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
