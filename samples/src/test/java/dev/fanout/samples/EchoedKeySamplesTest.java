package dev.fanout.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Defect 1 of issue 14, from the command line: against a server that echoes the {@code Authorization}
 * header in its 401, 429 and 500 bodies (plain, JSON-escaped, URL-encoded, and straddling the message's
 * 200-character cut), {@code users --mode all}, {@code rag} and {@code agents} print the failures, and
 * neither stdout, stderr, the logs, the report JSON nor the timeline holds the key or 8 characters of it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class EchoedKeySamplesTest {
  static final String KEY = "sk-proj-Xw4/Lq9+Tz2mR7vB5nK8cJ3hF6gD1sA0";

  @TempDir
  Path dir;

  /** Users 401 (plain echo) but rag's user 42; search and embeddings fine; rag's chat 500 (escaped, cut at 200), agents' 429 (URL-encoded). */
  static final class EchoingDispatcher extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String auth = String.valueOf(request.getHeaders().get("Authorization"));
      String path = request.getUrl().encodedPath();
      if (path.equals("/users/42")) {
        return json(200, "{\"id\":42,\"name\":\"n\",\"email\":\"e\"}");
      }
      if (path.startsWith("/users/")) {
        return json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + auth + "\",\"code\":\"invalid_api_key\"}}");
      }
      if (path.startsWith("/search")) {
        return json(200, "{\"documents\":[{\"text\":\"passage\"}]}");
      }
      String body = request.getBody() == null ? "" : request.getBody().utf8();
      if (path.endsWith("/embeddings")) { // rag's embeddings: fine, one small vector per input
        int inputs;
        try {
          com.fasterxml.jackson.databind.JsonNode input = new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(body).path("input");
          inputs = input.isArray() ? input.size() : 1;
        } catch (java.io.IOException e) {
          inputs = 1;
        }
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < Math.max(1, inputs); i++) {
          data.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i)
              .append(",\"embedding\":[0.6,0.8]}");
        }
        return json(200, "{\"object\":\"list\",\"model\":\"m\",\"data\":[" + data
            + "],\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}");
      }
      if (body.contains("passages")) { // rag's question
        return json(500, "{\"error\":\"" + "x".repeat(160) + " upstream " + auth.replace("/", "\\/").replace("-", "\\u002d") + "\"}");
      }
      return new MockResponse.Builder().code(429).setHeader("Retry-After", "0")
          .body("slow down; authorization=" + URLEncoder.encode(auth, StandardCharsets.UTF_8)).build();
    }

    private static MockResponse json(int code, String body) {
      return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
    }
  }

  @Test
  void theSamplesPrintTheFailuresButNotTheKey() throws Exception {
    List<String> texts = new ArrayList<>();
    PrintStream originalErr = System.err;
    PrintStream originalOut = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setErr(tee);
    System.setOut(tee);
    List<Integer> exits = new ArrayList<>();
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new EchoingDispatcher());
      server.start();
      String url = server.url("/").toString();
      String[][] runs = {
          {"users", "--mode", "all", "--ids", "1-5", "--retries", "0"},
          {"users", "--mode", "settle", "--ids", "1-3", "--retries", "1", "--rounds", "2"},
          {"rag", "--retrievers", "2"},
          {"rag", "--user-id", "7"},
          {"agents", "--agents", "2"},
      };
      for (int i = 0; i < runs.length; i++) {
        Path json = dir.resolve("run" + i + ".json");
        Path timeline = dir.resolve("run" + i + ".html");
        List<String> args = new ArrayList<>(List.of(runs[i]));
        args.addAll(List.of("--base-url", url, "--api-key", KEY, "--report-json", json.toString(),
            "--timeline", timeline.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        exits.add(cmd.execute(args.toArray(String[]::new)));
        texts.add(out.toString());
        texts.add(err.toString());
        texts.add(Files.readString(json));
        texts.add(Files.readString(timeline));
      }
    } finally {
      System.setErr(originalErr);
      System.setOut(originalOut);
    }
    texts.add(captured.toString(StandardCharsets.UTF_8));

    assertThat(exits).as(String.join("\n", texts)).containsOnly(1); // every run met a failure, and said so
    String all = String.join("\n", texts);
    assertThat(all).contains("The run failed: dev.fanout.errors.UnauthorizedException: HTTP 401 Unauthorized (GET /users/")
        .contains("Bearer ██").contains("failed: ");
    for (String text : texts) {
      for (String form : List.of(text, decode(text))) {
        for (int i = 0; i + 8 <= KEY.length(); i++) {
          assertThat(form).as("holds %s", KEY.substring(i, i + 8)).doesNotContain(KEY.substring(i, i + 8));
        }
      }
    }
    System.out.println("RELIABILITY echoed-key samples: " + exits.size() + " runs (users all, users 2 rounds, rag x2,"
        + " agents), " + texts.size() + " outputs (stdout, stderr, report JSON, timeline, logs), no 8-character window of the key");
  }

  /** Undoes JSON, URL and HTML escapes the simple way (the test's own code, not the SDK's). */
  static String decode(String text) {
    String previous;
    String current = text;
    Pattern escape = Pattern.compile(
        "\\\\+u([0-9a-fA-F]{4})|\\\\+([^0-9A-Za-z])|%([0-9a-fA-F]{2})|&#(\\d+);|&#[xX]([0-9a-fA-F]+);");
    do {
      previous = current;
      Matcher m = escape.matcher(previous);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        int c = m.group(1) != null ? Integer.parseInt(m.group(1), 16)
            : m.group(2) != null ? m.group(2).charAt(0)
            : m.group(3) != null ? Integer.parseInt(m.group(3), 16)
            : m.group(4) != null ? Integer.parseInt(m.group(4))
            : Integer.parseInt(m.group(5), 16);
        m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf((char) c)));
      }
      m.appendTail(out);
      current = out.toString();
    } while (!current.equals(previous));
    return current;
  }
}
