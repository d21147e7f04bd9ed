package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one excerpt rule that decode errors and {@code toString()} of the chat and Messages types quote text by. */
@Timeout(10)
class ExcerptsTest {
  @Test
  void abbreviateFoldsWhiteSpaceThenCutsAt120WithAnEllipsis() {
    assertThat(Excerpts.abbreviate("{\"a\":\n\t  1}")).isEqualTo("{\"a\": 1}");
    String long1 = "x".repeat(119) + "  \n yz";
    assertThat(Excerpts.abbreviate(long1)).isEqualTo("x".repeat(119) + " …");
    assertThat(Excerpts.abbreviate("y".repeat(120))).isEqualTo("y".repeat(120));
  }

  @Test
  void abbreviateOfNullIsTheWordNull() {
    assertThat(Excerpts.abbreviate(null)).isEqualTo("null");
  }

  @Test
  void cutKeepsWhiteSpace() {
    assertThat(Excerpts.cut("a  b")).isEqualTo("a  b");
    assertThat(Excerpts.cut("z".repeat(121))).isEqualTo("z".repeat(120) + "…");
    assertThat(Excerpts.cut("abcdef", 3)).isEqualTo("abc…");
  }
}
