package dev.fanout.samples.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Smoke test: the LangChain4j RAG sample runs on the embedded mock and answers from the sources in time. */
@Timeout(60)
class RagWithLangChain4jTest {
  @Test
  void answersFromTheSourcesThatMadeTheDeadline() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code = RagWithLangChain4j.run(new String[] {"--timeout", "5s", "--slow", "30s"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(printed)
        .contains("handbook: succeeded (2 passages)")
        .contains("faq: succeeded (2 passages)")
        .contains("archive: timed out")
        .contains("answer: ");
  }

  @Test
  void aBadFlagIsNamed() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = RagWithLangChain4j.run(new String[] {"--timeout", "0"},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--timeout <= 0: 0");
  }
}
