package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fanout.CallTrace;
import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.chat.ChatRequest;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.ServiceException;
import dev.fanout.errors.TransportException;
import dev.fanout.testsupport.AutoAdvance;
import dev.fanout.users.User;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Defect 1 of issue 14: a server that echoes the {@code Authorization} header back — in a 401, 429 or 500
 * body, JSON-escaped, URL-encoded, HTML-escaped, straddling the 200-character message excerpt or the 8 KiB
 * body cut, in its reason phrase, in a response header, in a value Jackson quotes, in a stream's error
 * event, in a status line OkHttp cannot parse — never gets the key, or 8 consecutive characters of it, into anything the SDK keeps or prints.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class EchoedKeyTest {
  /** Has {@code /} and {@code +}, so JSON and URL encoders escape it. */
  static final String KEY = "sk-live-Q7/xR2+vN9wK4mZ8pL3sT6yB1cD5fH0j";
  static final int WINDOW = 8;

  /** Answers every request with one way of echoing its {@code Authorization} header. */
  static final class EchoingDispatcher extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String auth = String.valueOf(request.getHeaders().get("Authorization")); // "Bearer sk-live-..."
      String path = request.getUrl().encodedPath();
      if (path.startsWith("/v1/chat/completions")) {
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        if (body.contains("\"stream\":true")) {
          String event = body.contains("garbage")
              ? "data: not json " + auth + "\n\n"
              : "data: {\"error\":{\"message\":\"Incorrect API key provided: " + auth + "\",\"type\":\"invalid_request_error\"}}\n\n";
          return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/event-stream").body(event).build();
        }
        // A 200 that is not a completion, the header where its message object should be.
        return json(200, "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":\"" + auth + "\"}]}");
      }
      switch (path) {
        case "/users/1": // OpenAI's 401 shape, echoing the header
          return json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + auth + "\",\"code\":\"invalid_api_key\"}}");
        case "/users/2": // JSON-escaped: \/ for / and \u002d for -, as some encoders write them
          return json(500, "{\"error\":\"upstream said " + auth.replace("/", "\\/").replace("-", "\\u002d") + "\"}");
        case "/users/3": // URL-encoded, in a 429
          return new MockResponse.Builder().code(429).setHeader("Retry-After", "0")
              .body("rate limited; request was authorization=" + URLEncoder.encode(auth, StandardCharsets.UTF_8)).build();
        case "/users/4": // the key straddles the message excerpt's 200-character cut
          return json(500, "x".repeat(181) + auth);
        case "/users/5": // the key straddles the 8 KiB the exception keeps
          return json(500, "y".repeat(8 * 1024 - 20) + KEY);
        case "/users/6": // in a non-standard status's reason phrase and a header of an innocent name
          return new MockResponse.Builder().status("HTTP/1.1 499 " + auth).setHeader("X-Request-Echo", auth)
              .body("see reason").build();
        case "/users/7": // HTML-escaped, double JSON-escaped
          return json(503, "<p>" + auth.replace("-", "&#45;").replace("/", "&#x2F;") + "</p> "
              + auth.replace("-", "\\\\u002D"));
        case "/users/8": // a 200 whose id is the header: the user decoder quotes what it got
          return json(200, "{\"id\":\"" + auth + "\",\"name\":\"" + auth + "\",\"email\":\"e\"}");
        case "/users/9": // not a status line: OkHttp's ProtocolException quotes it
          return new MockResponse.Builder().status("HTTP/1.1 2xx " + auth).body("x").build();
        default:
          return json(200, "{\"id\":9,\"name\":\"n\",\"email\":\"e\"}");
      }
    }

    private static MockResponse json(int code, String body) {
      return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
    }
  }

  @Test
  void anEchoedKeyAppearsInNothingTheSdkKeepsOrPrints() throws Exception {
    List<String> julRecords = new CopyOnWriteArrayList<>();
    Handler jul = new Handler() {
      @Override
      public void publish(LogRecord r) {
        julRecords.add(r.getLoggerName() + " " + r.getMessage() + " " + java.util.Arrays.toString(r.getParameters())
            + (r.getThrown() == null ? "" : " " + stackTrace(r.getThrown())));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger root = Logger.getLogger("");
    Logger okhttp = Logger.getLogger("okhttp3");
    Level before = okhttp.getLevel();
    root.addHandler(jul);
    okhttp.setLevel(Level.ALL);
    PrintStream originalErr = System.err;
    PrintStream originalOut = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setErr(tee);
    System.setOut(tee);
    List<String> texts = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new EchoingDispatcher());
      server.start();
      List<CallTrace> traces = new CopyOnWriteArrayList<>();
      try (AutoAdvance time = new AutoAdvance();
          FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString()).apiKey(KEY)
          .retryPolicy(RetryPolicy.none()).traceListener(traces::add).build();
          FanoutClient retrying = FanoutClient.builder().baseUrl(server.url("/").toString()).apiKey(KEY)
              .retryPolicy(RetryPolicy.builder().maxAttempts(2).build()).clock(time.clock()).streamIdleTimeout(java.time.Duration.ZERO).totalTimeout(java.time.Duration.ZERO).build()) {
        for (long id = 1; id <= 9; id++) {
          long i = id;
          errors.add(catchThrowable(() -> client.users().get(i)));
          errors.add(catchThrowable(() -> retrying.users().get(i)));
        }
        ChatRequest chat = ChatRequest.builder().model("m").addUserMessage("hi").build();
        ChatRequest garbage = ChatRequest.builder().model("m").addUserMessage("garbage").build();
        errors.add(catchThrowable(() -> client.chat().create(chat)));
        errors.add(catchThrowable(() -> client.chat().stream(chat, delta -> {})));
        errors.add(catchThrowable(() -> client.chat().stream(garbage, delta -> {})));
        errors.add(catchThrowable(() -> client.json().get("users/1", Map.class)));

        FanoutFuture<List<Outcome<User>>> run = Fanout.settleAll(LongStream.rangeClosed(1, 8).boxed().toList(),
            (id, context) -> client.users().getAsync(id), FanoutOptions.builder().timeout(Duration.ofSeconds(10)).build());
        List<Outcome<User>> outcomes = run.get(20, TimeUnit.SECONDS);
        texts.add(outcomes.toString());
        outcomes.stream().filter(o -> !o.isSuccess()).forEach(o -> errors.add(o.error()));
        texts.add(run.report().toString());
        texts.add(run.report().toJson());
        traces.forEach(t -> texts.add(t.toString()));
      }
    } finally {
      System.setErr(originalErr);
      System.setOut(originalOut);
      root.removeHandler(jul);
      okhttp.setLevel(before);
    }

    // Every probe failed, each in the way it was built to.
    assertThat(errors).hasSize(18 + 4 + 8).allSatisfy(e -> assertThat(e).isInstanceOf(FanoutException.class));
    assertThat(errors.get(0)).isInstanceOf(ServiceException.class);
    assertThat(errors.get(5)).isInstanceOf(RateLimitedException.class); // the 429, retried once
    assertThat(((FanoutException) errors.get(5)).attempts()).isEqualTo(2);
    assertThat(errors.get(16)).isInstanceOf(TransportException.class); // the status line, retried once
    assertThat(errors.get(18)).isInstanceOf(DecodeException.class);
    for (Throwable e : errors) {
      texts.add(e.getMessage());
      texts.add(e.toString());
      texts.add(stackTrace(e));
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ServiceException s) {
          texts.add(s.body());
          texts.add(s.headers().toString());
          texts.add(s.url());
        }
      }
    }
    texts.add(captured.toString(StandardCharsets.UTF_8));
    texts.addAll(julRecords);

    // The redaction is visible (the probes really echoed the key), and nothing else of the key remains.
    assertThat(String.join("\n", texts)).contains("Bearer ██");
    assertThat(texts).allSatisfy(EchoedKeyTest::assertNoPartOfTheKey);
    System.out.println("RELIABILITY echoed-key: " + errors.size() + " failures, " + texts.size()
        + " texts checked, no 8-character window of the key in any (raw, JSON-, URL- or HTML-decoded)");
  }

  /** Asserts {@code text}, and {@code text} with escapes undone, hold no {@value #WINDOW} consecutive chars of the key. */
  static void assertNoPartOfTheKey(String text) {
    if (text == null) {
      return;
    }
    for (String form : List.of(text, decode(text))) {
      for (int i = 0; i + WINDOW <= KEY.length(); i++) {
        assertThat(form).as("holds %s", KEY.substring(i, i + WINDOW)).doesNotContain(KEY.substring(i, i + WINDOW));
      }
    }
  }

  private static final Pattern ESCAPE = Pattern.compile("\\\\+u([0-9a-fA-F]{4})|\\\\+([^0-9A-Za-z])|%([0-9a-fA-F]{2})|&#(\\d+);|&#[xX]([0-9a-fA-F]+);");

  /** Undoes JSON, URL and HTML escapes, the simple way (the test's own code, not the SDK's). */
  static String decode(String text) {
    String previous;
    String current = text;
    do {
      previous = current;
      Matcher m = ESCAPE.matcher(previous);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        int c;
        if (m.group(1) != null) {
          c = Integer.parseInt(m.group(1), 16);
        } else if (m.group(2) != null) {
          c = m.group(2).charAt(0);
        } else if (m.group(3) != null) {
          c = Integer.parseInt(m.group(3), 16);
        } else if (m.group(4) != null) {
          c = Integer.parseInt(m.group(4));
        } else {
          c = Integer.parseInt(m.group(5), 16);
        }
        m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf((char) c)));
      }
      m.appendTail(out);
      current = out.toString();
    } while (!current.equals(previous));
    return current;
  }

  static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
