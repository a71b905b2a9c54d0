package io.qadistill.squad;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContextTextTest {
  private static final ContextText NORMANS = new ContextText("The Normans gave their name to Normandy, in France.");

  @Test
  void exactStartIsKeptAsItIs() {
    assertThat(NORMANS.align("Normandy", 31)).isEqualTo(new ContextText.Alignment(31, false, null));
  }

  @Test
  void startsOneOrTwoOffEitherWayAreCorrected() {
    for (int wrong : new int[] {29, 30, 32, 33}) {
      assertThat(NORMANS.align("Normandy", wrong)).as("from %d", wrong)
          .isEqualTo(new ContextText.Alignment(31, true, null));
    }
  }

  @Test
  void theNearestOccurrenceWinsAndTheEarlierOneOnATie() {
    ContextText abab = new ContextText("abab"); // "ab" at 0 and 2; from 1 both are one away
    assertThat(abab.align("ab", 1).start()).isZero();
    assertThat(abab.align("ab", 3).start()).isEqualTo(2);
  }

  @Test
  void threeOffIsAMismatchAndAbsentTextIsNotInContext() {
    assertThat(NORMANS.align("Normandy", 34).problem()).isEqualTo(Reason.ANSWER_START_MISMATCH);
    assertThat(NORMANS.align("Belgium", 31).problem()).isEqualTo(Reason.ANSWER_NOT_IN_CONTEXT);
  }

  @Test
  void startsOutsideTheContextDoNotThrow() {
    assertThat(NORMANS.align("The", -1)).isEqualTo(new ContextText.Alignment(0, true, null));
    assertThat(NORMANS.align("France", Integer.MAX_VALUE).problem()).isEqualTo(Reason.ANSWER_START_MISMATCH);
    assertThat(NORMANS.align("France", Integer.MIN_VALUE).problem()).isEqualTo(Reason.ANSWER_START_MISMATCH);
  }

  @Test
  void indexesCountCodePointsAsPythonDoes() {
    // 🎉 is one code point (Python len 1) but two Java chars
    ContextText emoji = new ContextText("a🎉b Paris");
    assertThat(emoji.codePointLength()).isEqualTo(9);
    assertThat(emoji.text().length()).isEqualTo(10);
    assertThat(emoji.align("Paris", 4)).isEqualTo(new ContextText.Alignment(4, false, null));
    assertThat(emoji.charIndex(4)).isEqualTo(5);
    assertThat(emoji.charIndex(9)).isEqualTo(10);
    // a start inside the surrogate pair in UTF-16 terms is just the next code point here
    assertThat(emoji.hasAt("b", 2)).isTrue();
  }

  @Test
  void combiningMarksAreCodePointsOfTheirOwn() {
    ContextText cafe = new ContextText("Cafe\u0301 Zoe\u0308");
    assertThat(cafe.codePointLength()).isEqualTo(10);
    assertThat(cafe.align("Zoe\u0308", 6)).isEqualTo(new ContextText.Alignment(6, false, null));
  }
}
