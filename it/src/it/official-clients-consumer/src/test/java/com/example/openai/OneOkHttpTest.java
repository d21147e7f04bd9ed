package com.example.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.fanout.FanoutClient;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.Routes;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;
import kotlin.KotlinVersion;
import okhttp3.OkHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user's test: with fanout-bom imported, Fanout, openai-java and anthropic-java (which ask for OkHttp 4.12 and
 * Kotlin 1.8 and 1.9) share one OkHttp and one Kotlin standard library, and Fanout and openai-java work against the
 * mock (anthropic-java: {@code com.example.anthropic.AnthropicClientTest}).
 */
@Timeout(60)
class OneOkHttpTest {
  private static final Pattern KOTLIN_JAR = Pattern.compile("(kotlin-(?:stdlib(?:-jdk[78])?|reflect))-([0-9][^/]*)\\.jar");

  @RegisterExtension
  static MockBackendExtension backend = MockBackendExtension.builder().latency(Latency.none()).build();

  @Test
  void oneJarOnTheClassPathHoldsOkHttp() throws IOException {
    List<String> holders = new ArrayList<>();
    for (File jar : classPathJars()) {
      try (ZipFile zip = new ZipFile(jar)) {
        if (zip.getEntry("okhttp3/OkHttpClient.class") != null) holders.add(jar.getName());
      }
    }

    assertThat(holders).singleElement().asString().startsWith("okhttp-jvm-5.");
    assertThat(OkHttp.VERSION).startsWith("5.");
  }

  @Test
  void theKotlinStandardLibraryJarsShareOneVersion() {
    Set<String> versions = new TreeSet<>();
    Set<String> artifacts = new TreeSet<>();
    for (File jar : classPathJars()) {
      Matcher m = KOTLIN_JAR.matcher(jar.getName());
      if (m.matches()) {
        artifacts.add(m.group(1));
        versions.add(m.group(2));
      }
    }

    // openai-java and anthropic-java bring kotlin-stdlib-jdk8 and kotlin-reflect; OkHttp brings kotlin-stdlib
    assertThat(artifacts).contains("kotlin-stdlib", "kotlin-stdlib-jdk8", "kotlin-reflect");
    assertThat(versions).as("versions of %s", artifacts).hasSize(1);
    assertThat(KotlinVersion.CURRENT.toString()).isEqualTo(versions.iterator().next());
  }

  @Test
  void bothClientsAnswerFromTheMock() {
    long before = backend.stats().requests(Routes.CHAT);

    try (FanoutClient fanout = FanoutClient.builder().baseUrl(backend.url()).apiKey("sk-test").build()) {
      ChatCompletion completion = fanout.chat()
          .create(ChatRequest.builder().model("gpt-4o-mini").addUserMessage("hello from fanout").build());
      assertThat(completion.content()).contains("hello from fanout");
    }

    OpenAIClient openai = OpenAIOkHttpClient.builder()
        .baseUrl(backend.backend().openAiBaseUrl()).apiKey("sk-test").maxRetries(0).build();
    try {
      ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
          .model(ChatModel.GPT_4O_MINI).addUserMessage("hello from openai-java").build();
      com.openai.models.chat.completions.ChatCompletion completion = openai.chat().completions().create(params);
      assertThat(completion.choices()).singleElement()
          .satisfies(c -> assertThat(c.message().content()).hasValueSatisfying(t -> assertThat(t).contains("hello from openai-java")));

      // streaming reads the response body as it arrives: OkHttp's ResponseBody and okio's BufferedSource
      String streamed;
      try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(params)) {
        streamed = stream.stream()
            .flatMap(chunk -> chunk.choices().stream())
            .flatMap(choice -> choice.delta().content().stream())
            .collect(Collectors.joining());
      }
      assertThat(streamed).contains("hello from openai-java");
    } finally {
      openai.close();
    }

    assertThat(backend.stats().requests(Routes.CHAT) - before).isEqualTo(3);
  }

  /** Surefire puts the test class path in {@code java.class.path}. */
  private static List<File> classPathJars() {
    List<File> jars = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.endsWith(".jar")) jars.add(new File(entry));
    }
    assertThat(jars).as("class path jars").isNotEmpty();
    return jars;
  }
}
