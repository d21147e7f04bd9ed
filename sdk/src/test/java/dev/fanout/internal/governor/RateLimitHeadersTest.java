package dev.fanout.internal.governor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.internal.governor.LimitObservation.Refill;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: real header examples from each provider's documentation, and malformed values ignored. */
@Timeout(10)
class RateLimitHeadersTest {
  private static final Instant NOW = Instant.parse("2025-08-21T12:41:00Z");
  private static final String DATE = "Thu, 21 Aug 2025 12:41:00 GMT";

  private final FakeClock clock = FakeClock.startingAt(NOW);

  /** One expected observation: dimension, policy, limit, remaining, reset after now (null = absent). */
  record Expect(LimitDimension dim, String policy, Long limit, Long remaining, Duration reset) {}

  static Stream<Arguments> conventions() {
    return Stream.of(
        // OpenAI's rate-limit guide (and a live response quoted on community.openai.com).
        Arguments.of("openai", Headers.of(
                "x-ratelimit-limit-requests", "60",
                "x-ratelimit-limit-tokens", "150000",
                "x-ratelimit-remaining-requests", "59",
                "x-ratelimit-remaining-tokens", "149984",
                "x-ratelimit-reset-requests", "1s",
                "x-ratelimit-reset-tokens", "6m0s"),
            new Expect[] {
              new Expect(LimitDimension.REQUESTS, "openai", 60L, 59L, Duration.ofSeconds(1)),
              new Expect(LimitDimension.TOKENS, "openai", 150000L, 149984L, Duration.ofMinutes(6)),
            }),
        Arguments.of("openai ms and fractional", Headers.of(
                "x-ratelimit-limit-requests", "5000",
                "x-ratelimit-remaining-requests", "4999",
                "x-ratelimit-reset-requests", "12ms",
                "x-ratelimit-limit-tokens", "160000",
                "x-ratelimit-remaining-tokens", "159976",
                "x-ratelimit-reset-tokens", "1.5s"),
            new Expect[] {
              new Expect(LimitDimension.REQUESTS, "openai", 5000L, 4999L, Duration.ofMillis(12)),
              new Expect(LimitDimension.TOKENS, "openai", 160000L, 159976L, Duration.ofMillis(1500)),
            }),
        // Go durations as api.openai.com writes them: fractional seconds, hours, and a reset already due.
        Arguments.of("openai go durations", Headers.of(
                "x-ratelimit-limit-requests", "10000",
                "x-ratelimit-remaining-requests", "9999",
                "x-ratelimit-reset-requests", "59.731s",
                "x-ratelimit-limit-tokens", "30000000",
                "x-ratelimit-remaining-tokens", "0",
                "x-ratelimit-reset-tokens", "1h2m3.5s"),
            new Expect[] {
              new Expect(LimitDimension.REQUESTS, "openai", 10000L, 9999L, Duration.ofMillis(59_731)),
              new Expect(LimitDimension.TOKENS, "openai", 30000000L, 0L, Duration.ofMillis(3_723_500)),
            }),
        Arguments.of("openai zero and millisecond resets", Headers.of(
                "x-ratelimit-limit-requests", "500",
                "x-ratelimit-remaining-requests", "500",
                "x-ratelimit-reset-requests", "0s",
                "x-ratelimit-limit-tokens", "200000",
                "x-ratelimit-remaining-tokens", "199990",
                "x-ratelimit-reset-tokens", "20ms"),
            new Expect[] {
              new Expect(LimitDimension.REQUESTS, "openai", 500L, 500L, Duration.ZERO),
              new Expect(LimitDimension.TOKENS, "openai", 200000L, 199990L, Duration.ofMillis(20)),
            }),
        // A recorded Anthropic /v1/messages response (RFC 3339 resets; Date header present).
        Arguments.of("anthropic", Headers.of(
                "date", DATE,
                "anthropic-ratelimit-input-tokens-limit", "80000",
                "anthropic-ratelimit-input-tokens-remaining", "80000",
                "anthropic-ratelimit-input-tokens-reset", "2025-08-21T12:41:05Z",
                "anthropic-ratelimit-output-tokens-limit", "16000",
                "anthropic-ratelimit-output-tokens-remaining", "15000",
                "anthropic-ratelimit-output-tokens-reset", "2025-08-21T12:41:10Z",
                "anthropic-ratelimit-requests-limit", "1000",
                "anthropic-ratelimit-requests-remaining", "999",
                "anthropic-ratelimit-requests-reset", "2025-08-21T12:41:00.060Z",
                "anthropic-ratelimit-tokens-limit", "96000",
                "anthropic-ratelimit-tokens-remaining", "95000",
                "anthropic-ratelimit-tokens-reset", "2025-08-21T12:42:00+00:00"),
            new Expect[] {
              new Expect(LimitDimension.REQUESTS, "anthropic", 1000L, 999L, Duration.ofMillis(60)),
              new Expect(LimitDimension.TOKENS, "anthropic", 96000L, 95000L, Duration.ofMinutes(1)),
              new Expect(LimitDimension.INPUT_TOKENS, "anthropic", 80000L, 80000L, Duration.ofSeconds(5)),
              new Expect(LimitDimension.OUTPUT_TOKENS, "anthropic", 16000L, 15000L, Duration.ofSeconds(10)),
            }),
        Arguments.of("anthropic reset already past is now", Headers.of(
                "date", DATE,
                "anthropic-ratelimit-requests-limit", "50",
                "anthropic-ratelimit-requests-remaining", "0",
                "anthropic-ratelimit-requests-reset", "2025-08-21T12:40:59Z"),
            new Expect[] {new Expect(LimitDimension.REQUESTS, "anthropic", 50L, 0L, Duration.ZERO)}),
        // The IETF draft's own examples.
        Arguments.of("ietf current", Headers.of(
                "RateLimit-Policy", "\"default\";q=100;w=60",
                "RateLimit", "\"default\";r=50;t=30"),
            new Expect[] {new Expect(LimitDimension.REQUESTS, "default", 100L, 50L, Duration.ofSeconds(30))}),
        Arguments.of("ietf two policies, one without counters", Headers.of(
                "RateLimit-Policy", "\"burst\";q=100;w=60,\"daily\";q=1000;w=86400",
                "RateLimit", "\"daily\";r=1;t=100"),
            new Expect[] {
              new Expect(LimitDimension.REQUESTS, "daily", 1000L, 1L, Duration.ofSeconds(100)),
              new Expect(LimitDimension.REQUESTS, "burst", 100L, null, null),
            }),
        Arguments.of("ietf bytes are not paced", Headers.of(
                "RateLimit-Policy", "\"bytes\";q=1000;w=60;qu=\"content-bytes\",\"req\";q=10",
                "RateLimit", "\"bytes\";r=500;t=10, \"req\";r=3;t=4"),
            new Expect[] {new Expect(LimitDimension.REQUESTS, "req", 10L, 3L, Duration.ofSeconds(4))}),
        Arguments.of("ietf draft-08 token names", Headers.of(
                "RateLimit-Policy", "default;l=100;w=10",
                "RateLimit", "default;r=50;t=5"),
            new Expect[] {new Expect(LimitDimension.REQUESTS, "default", 100L, 50L, Duration.ofSeconds(5))}),
        Arguments.of("ietf legacy three fields", Headers.of(
                "RateLimit-Limit", "10",
                "RateLimit-Remaining", "1",
                "RateLimit-Reset", "7"),
            new Expect[] {new Expect(LimitDimension.REQUESTS, "ietf", 10L, 1L, Duration.ofSeconds(7))}),
        Arguments.of("ietf draft-07 dictionary", Headers.of("RateLimit", "limit=100, remaining=50, reset=5"),
            new Expect[] {new Expect(LimitDimension.REQUESTS, "ietf", 100L, 50L, Duration.ofSeconds(5))}),
        Arguments.of("no rate-limit headers", Headers.of("content-type", "application/json"), new Expect[0]),
        // Malformed values: each is dropped, the rest of the response still read, nothing thrown.
        Arguments.of("malformed", Headers.of(
                "x-ratelimit-limit-requests", "-1",
                "x-ratelimit-remaining-requests", "abc",
                "x-ratelimit-reset-requests", "soon",
                "x-ratelimit-limit-tokens", "1e6",
                "x-ratelimit-remaining-tokens", "99",
                "x-ratelimit-reset-tokens", "-5s",
                "anthropic-ratelimit-requests-remaining", "",
                "anthropic-ratelimit-requests-reset", "tomorrow",
                "RateLimit-Policy", "\"unterminated;q=1",
                "RateLimit", "\"x\";r=abc;t=?",
                "RateLimit-Remaining", "99999999999999999999"),
            new Expect[] {new Expect(LimitDimension.TOKENS, "openai", null, 99L, null)}),
        Arguments.of("azure's -1 means no limit published", Headers.of(
                "x-ratelimit-limit-tokens", "-1",
                "x-ratelimit-remaining-tokens", "-1",
                "x-ratelimit-reset-tokens", "0"),
            new Expect[] {new Expect(LimitDimension.TOKENS, "openai", null, null, Duration.ZERO)}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conventions")
  void readsEachConvention(String name, Headers headers, Expect[] expected) {
    clock.advance(Duration.ofSeconds(3)); // nanoTime 3 s: resets are measured from the clock's now
    long now = clock.nanoTime();
    // The fake clock reads NOW + 3 s; responses with a Date header are measured against the Date instead.
    RateLimitSignal signal = RateLimitHeaders.parse(headers, clock);

    assertThat(signal.observations()).hasSize(expected.length);
    for (Expect e : expected) {
      LimitObservation o = signal.find(e.dim(), e.policy()).orElseThrow(() -> new AssertionError("missing " + e));
      assertThat(o.limit()).as("limit of " + e).isEqualTo(opt(e.limit()));
      assertThat(o.remaining()).as("remaining of " + e).isEqualTo(opt(e.remaining()));
      assertThat(o.resetAtNanos()).as("reset of " + e)
          .isEqualTo(e.reset() == null ? OptionalLong.empty() : OptionalLong.of(now + e.reset().toNanos()));
    }
  }

  @Test
  void providersReplenishPerMinuteAndIetfWindowsAreFixed() {
    RateLimitSignal openai = RateLimitHeaders.parse(Headers.of("x-ratelimit-remaining-requests", "1"), clock);
    assertThat(openai.observations().get(0).refill()).isEqualTo(Refill.REPLENISHING);
    assertThat(openai.observations().get(0).window()).contains(Duration.ofMinutes(1));

    RateLimitSignal ietf = RateLimitHeaders.parse(
        Headers.of("RateLimit-Policy", "\"default\";q=100;w=60", "RateLimit", "\"default\";r=50;t=30"), clock);
    assertThat(ietf.observations().get(0).refill()).isEqualTo(Refill.FIXED_WINDOW);
    assertThat(ietf.observations().get(0).window()).contains(Duration.ofSeconds(60));
  }

  static Stream<Arguments> retryAfters() {
    return Stream.of(
        Arguments.of(Headers.of("retry-after-ms", "20"), Optional.of(Duration.ofMillis(20))),
        Arguments.of(Headers.of("retry-after-ms", "1.5"), Optional.of(Duration.ofNanos(1_500_000))),
        Arguments.of(Headers.of("retry-after-ms", "250", "retry-after", "1"), Optional.of(Duration.ofMillis(250))),
        Arguments.of(Headers.of("retry-after", "1"), Optional.of(Duration.ofSeconds(1))),
        Arguments.of(Headers.of("retry-after", "0.5"), Optional.of(Duration.ofMillis(500))),
        Arguments.of(Headers.of("date", DATE, "retry-after", "Thu, 21 Aug 2025 12:41:30 GMT"),
            Optional.of(Duration.ofSeconds(30))),
        Arguments.of(Headers.of("date", DATE, "retry-after", "Thu, 21 Aug 2025 12:40:00 GMT"),
            Optional.of(Duration.ZERO)),
        Arguments.of(Headers.of("retry-after-ms", "soon", "retry-after", "2"), Optional.of(Duration.ofSeconds(2))),
        Arguments.of(Headers.of("retry-after", "-3"), Optional.empty()),
        Arguments.of(Headers.of("retry-after", "Fri, 32 Foo 2025"), Optional.empty()),
        Arguments.of(Headers.of(), Optional.empty()));
  }

  @ParameterizedTest
  @MethodSource("retryAfters")
  void readsRetryAfter(Headers headers, Optional<Duration> expected) {
    assertThat(RateLimitHeaders.retryAfter(headers, clock)).isEqualTo(expected);
    assertThat(RateLimitHeaders.parse(headers, clock).retryAfter()).isEqualTo(expected);
  }

  @Test
  void headerNamesAreReadInAnyCaseAndOtherHeadersPublishNothing() {
    RateLimitSignal mixed = RateLimitHeaders.parse(Headers.of(
        "Content-Type", "application/json",
        "X-RateLimit-Limit-Requests", "60",
        "X-RATELIMIT-REMAINING-REQUESTS", "59",
        "Retry-After-Ms", "250"), clock);
    assertThat(mixed.find(LimitDimension.REQUESTS, "openai")).hasValueSatisfying(o -> {
      assertThat(o.limit()).hasValue(60);
      assertThat(o.remaining()).hasValue(59);
    });
    assertThat(mixed.retryAfter()).contains(Duration.ofMillis(250));

    RateLimitSignal none = RateLimitHeaders.parse(Headers.of(
        "Content-Type", "application/json", "Date", DATE, "Server", "nginx", "X-Request-Id", "abc"), clock);
    assertThat(none.observations()).isEmpty();
    assertThat(none.retryAfter()).isEmpty();
  }

  @Test
  void httpDateRetryAfterWithoutDateHeaderUsesTheClock() {
    FakeClock c = FakeClock.startingAt(NOW);
    assertThat(RateLimitHeaders.retryAfter(Headers.of("retry-after", "Thu, 21 Aug 2025 12:41:10 GMT"), c))
        .contains(Duration.ofSeconds(10));
  }

  @Test
  void structuredListParsesQuotedNamesAndParameters() {
    assertThat(RateLimitHeaders.StructuredList.parse("\"a,b\";q=1;w=2, tok;r=3;flag"))
        .containsOnlyKeys("a,b", "tok")
        .containsEntry("a,b", java.util.Map.of("q", "1", "w", "2"))
        .containsEntry("tok", java.util.Map.of("r", "3", "flag", "?1"));
    assertThat(RateLimitHeaders.StructuredList.parse("\"ok\";q=1, bad name;q=2, \"x\";Q=3")).containsOnlyKeys("ok");
  }

  private static OptionalLong opt(Long v) {
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }
}
