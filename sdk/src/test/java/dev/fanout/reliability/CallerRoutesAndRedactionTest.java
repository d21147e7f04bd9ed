package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.CallOptions;
import dev.fanout.CallTrace;
import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutClientSpec;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.GovernorReport;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.ServiceException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the caller can tell the client: the route templates its per-route state keys by (so paths made of
 * names, which the id heuristic keeps apart, share one governor bucket), a call's own route, and query
 * parameter names to redact beside the documented defaults.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class CallerRoutesAndRedactionTest {
  private static final String TICKET = "TKT-7f3a9c2e5b8d1046";

  private final MockWebServer server = new MockWebServer();

  @BeforeEach
  void setUp() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (request.getTarget().startsWith("/items")) {
          // a server that echoes the request target in its error body and a header
          return new MockResponse.Builder().code(500).setHeader("x-echo", request.getTarget())
              .body("{\"error\":{\"message\":\"bad request to " + request.getTarget() + "\"}}").build();
        }
        return new MockResponse.Builder().setHeader("Content-Type", "application/json").body("{}").build();
      }
    });
    server.start();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private List<GovernorReport.Bucket> bucketsOf40NamedLookups(FanoutClient client, CallOptions options)
      throws Exception {
    List<String> names = IntStream.range(0, 40).mapToObj(i -> "user" + (char) ('a' + i % 26) + (char) ('a' + i / 26))
        .toList();
    FanoutFuture<List<JsonNode>> run = Fanout.all(names,
        (name, context) -> client.json().withOptions(options).getAsync("/v1/users/" + name, JsonNode.class),
        FanoutOptions.defaults());
    assertThat(run.get(20, TimeUnit.SECONDS)).hasSize(40);
    return run.report().governor().buckets();
  }

  @Test
  void aRouteTemplateMakesPathsOfNamesOneRoute() throws Exception {
    try (FanoutClient plain = FanoutClient.builder().baseUrl(server.url("/").toString()).build()) {
      assertThat(bucketsOf40NamedLookups(plain, CallOptions.defaults()))
          .as("without a template, each name is a route of its own").hasSize(40);
    }
    try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString())
        .routeTemplates("/v1/orders/*", "/v1/users/{name}").build()) {
      assertThat(bucketsOf40NamedLookups(client, CallOptions.defaults())).singleElement()
          .satisfies(b -> {
            assertThat(b.name()).isEqualTo("/v1/users/{name}");
            assertThat(b.admitted()).isEqualTo(40);
          });
    }
  }

  @Test
  void aCallsOwnRouteWinsOverTheTemplates() throws Exception {
    try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString())
        .routeTemplates("/v1/users/{name}").build()) {
      assertThat(bucketsOf40NamedLookups(client, CallOptions.builder().route("user lookup").build()))
          .singleElement().satisfies(b -> assertThat(b.name()).isEqualTo("user lookup"));
    }
  }

  @Test
  void badTemplatesAndRoutesAreRefusedByName() {
    assertThatThrownBy(() -> FanoutClient.builder().routeTemplates("v1/users/{id}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not start with '/': v1/users/{id}");
    assertThatThrownBy(() -> FanoutClient.builder().routeTemplates("/v1/users/{id"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'{id'");
    assertThatThrownBy(() -> FanoutClient.builder().routeTemplates("/v1/users?id=*"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/v1/users?id=*");
    assertThatThrownBy(() -> FanoutClient.builder().routeTemplates((String) null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("route template == null");
    assertThatThrownBy(() -> CallOptions.builder().route(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("route is blank");
    assertThatThrownBy(() -> FanoutClient.builder().redactedQueryParameters("ticket", ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
  }

  @Test
  void aNameTheUserAddsIsRedactedInEveryTextTheSdkShows() throws Exception {
    List<CallTrace> traces = new CopyOnWriteArrayList<>();
    try (FanoutClient plain = FanoutClient.builder().baseUrl(server.url("/").toString())
        .retryPolicy(RetryPolicy.none()).build()) {
      Throwable t = catchThrowable(() -> plain.json().get("items?ticket=" + TICKET + "&page=2", JsonNode.class));
      assertThat(((ServiceException) t).url()).as("not a default name: shown without the option").contains(TICKET);
    }
    try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString())
        .retryPolicy(RetryPolicy.none()).redactedQueryParameters("Ticket").traceListener(traces::add).build()) {
      Throwable t = catchThrowable(() -> client.json().get("items?ticket=" + TICKET + "&page=2", JsonNode.class));

      assertThat(t).isInstanceOf(ServiceException.class);
      ServiceException e = (ServiceException) t;
      List<String> texts = new ArrayList<>();
      texts.add(e.getMessage());
      StringWriter stack = new StringWriter();
      e.printStackTrace(new PrintWriter(stack));
      texts.add(stack.toString());
      texts.add(e.url());
      texts.add(e.body());
      texts.add(e.headers().toString());
      traces.forEach(trace -> texts.add(trace.toString()));
      assertThat(traces).hasSize(1);
      assertThat(e.url()).contains("page=2").contains("ticket=");
      assertThat(texts).allSatisfy(text -> assertThat(text).doesNotContain(TICKET));
    }
  }

  @Test
  void theOptionsTravelWithTheSpec() throws Exception {
    FanoutClientSpec spec = FanoutClientSpec.builder().baseUrl(server.url("/").toString())
        .routeTemplates("/v1/users/{name}").redactedQueryParameters("ticket").build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(spec);
    }
    FanoutClientSpec read;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      read = (FanoutClientSpec) in.readObject();
    }
    assertThat(read.routeTemplates()).containsExactly("/v1/users/{name}");
    assertThat(read.redactedQueryParameters()).containsExactly("ticket");
    assertThat(FanoutClient.DEFAULT_ROUTE_TEMPLATES).isEmpty();
    assertThat(FanoutClient.DEFAULT_REDACTED_QUERY_PARAMETERS).isEmpty();
    assertThat(FanoutClient.DEFAULT_REDACTED_NAMES).contains("auth", "sid", "jwt");
  }
}
