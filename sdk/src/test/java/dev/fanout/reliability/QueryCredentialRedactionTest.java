package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fanout.CallTrace;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.ServiceException;
import dev.fanout.internal.Redaction;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Credentials in a query string under the names services really use are redacted wherever the SDK shows a
 * URL or what a server echoed: the exception's message and stack trace, the service error's URL and body,
 * and the call's trace.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class QueryCredentialRedactionTest {
  private static final String SECRET = "Zq8Xv2Lm9Rt4Wp7Ks1";

  @ParameterizedTest
  @ValueSource(strings = {"auth", "access_key", "AccessKey", "sessionid", "session_id", "PHPSESSID", "sid", "jwt",
      "X-Amz-Credential", "X-Amz-Security-Token", "client_secret", "passwd", "private_key", "auth_token", "apiKey"})
  void aQueryCredentialIsRedactedInEveryTextTheSdkShows(String name) throws Exception {
    List<CallTrace> traces = new CopyOnWriteArrayList<>();
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          // a server that echoes the request target in its error body and a header
          return new MockResponse.Builder().code(500).setHeader("x-echo", request.getTarget())
              .body("{\"error\":{\"message\":\"bad request to " + request.getTarget() + "\"}}").build();
        }
      });
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString())
          .retryPolicy(RetryPolicy.none()).traceListener(traces::add).build()) {
        Throwable t = catchThrowable(() -> client.json().get("items?" + name + "=" + SECRET + "&page=2", Map.class));

        assertThat(t).isInstanceOf(ServiceException.class);
        ServiceException e = (ServiceException) t;
        assertThat(server.takeRequest().getTarget()).as("the request itself carries it").contains(SECRET);
        List<String> texts = new ArrayList<>();
        texts.add(e.getMessage());
        texts.add(stackTrace(e));
        texts.add(e.url());
        texts.add(e.body());
        texts.add(e.headers().toString());
        texts.add(e.toString());
        traces.forEach(trace -> texts.add(trace.toString()));
        assertThat(traces).hasSize(1);
        assertThat(e.url()).contains("page=2");
        assertThat(texts).allSatisfy(text -> assertThat(text).doesNotContain(SECRET));
      }
    }
  }

  @Test
  void theDocumentedNamesAreSensitiveAndOrdinaryNamesAreNot() {
    for (String name : List.of("auth", "access_key", "sessionid", "session_id", "PHPSESSID", "jwt", "sid",
        "x-goog-api-key", "X-Amz-Signature", "refresh_token", "x-auth", "auth-key")) {
      assertThat(Redaction.isSensitive(name)).as(name).isTrue();
    }
    for (String name : List.of("author", "page", "q", "model", "x-ratelimit-remaining-tokens", "session_count",
        "authority", "x-request-id", "keyword")) {
      assertThat(Redaction.isSensitive(name)).as(name).isFalse();
    }
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
