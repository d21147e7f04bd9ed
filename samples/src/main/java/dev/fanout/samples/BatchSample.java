package dev.fanout.samples;

import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutReport;
import dev.fanout.GovernorPolicy;
import dev.fanout.GovernorReport;
import dev.fanout.Outcome;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.common.Quotas;
import dev.fanout.common.cli.Ranges;
import dev.fanout.messages.MessageRequest;
import dev.fanout.samples.cli.Provider;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.Stats;
import dev.fanout.samples.cli.CommonOptions;
import dev.fanout.samples.cli.Session;
import dev.fanout.samples.cli.Style;
import dev.fanout.samples.report.ModeRecorder;
import dev.fanout.samples.report.RunReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A batch of chat completions (or, with {@code --provider anthropic}, Anthropic messages) against a metered
 * API: {@code --prompts N} at once, with no concurrency flag. The client's rate-limit governor (on by
 * default) reads the {@code x-ratelimit-*} (or {@code anthropic-ratelimit-*}) headers every response
 * carries and paces the batch to them, so the batch finishes in about the time the quota allows with few
 * 429s; {@code --no-governor} sends them all and leaves the 429s to the retry policy, to compare.
 *
 * <p>Without {@code --base-url} the calls go to an embedded mock metered like OpenAI: {@code --rpm}
 * requests and {@code --tpm} tokens per minute, enforced as token buckets one second deep, 429s with
 * {@code retry-after-ms}; with {@code --provider anthropic}, metered like Anthropic: {@code --rpm} requests,
 * {@code --tpm} input and as many output tokens per minute, 429s with {@code retry-after} in seconds. Prints progress and a summary (ok, failed, 429s, wall, the quota's minimum and
 * the ratio); exits with 1 if any completion failed.
 */
@Command(
    name = "batch",
    mixinStandardHelpOptions = true,
    description = "Send N chat completions at once to a metered API, paced by the rate-limit governor "
        + "(--no-governor to compare); exit 1 if any failed.")
final class BatchSample implements Callable<Integer> {
  static final int DEFAULT_PROMPTS = 1000;
  static final int DEFAULT_MAX_TOKENS = 16;
  /** The embedded mock's requests per minute: OpenAI's tier-2 gpt-4o-mini figure rounded, 100 per second. */
  static final long DEFAULT_RPM = 6000;
  /** The embedded mock's tokens per minute: none (the batch is request-bound unless {@code --tpm} is given). */
  static final long DEFAULT_TPM = 0;

  @Mixin
  CommonOptions common;

  @Spec
  CommandSpec spec;

  @Option(names = "--prompts", paramLabel = "N",
      description = "Chat completions to send, all at once. Defaults to " + DEFAULT_PROMPTS + ".")
  int prompts = DEFAULT_PROMPTS;

  @Option(names = "--max-tokens", paramLabel = "N",
      description = "max_tokens of each completion (the governor charges it against a token limit). "
          + "Defaults to " + DEFAULT_MAX_TOKENS + ".")
  int maxTokens = DEFAULT_MAX_TOKENS;

  @Option(names = "--no-governor",
      description = "Turn the client's rate-limit governor off (every completion is sent at once; 429s are "
          + "retried by the retry policy alone). Defaults to off: the governor is on.")
  boolean noGovernor;

  @Option(names = "--rpm", paramLabel = "N",
      description = "Requests per minute the embedded mock admits (one second deep); 0 for none. Ignored "
          + "with --base-url. Defaults to " + DEFAULT_RPM + ".")
  long rpm = DEFAULT_RPM;

  @Option(names = "--tpm", paramLabel = "N",
      description = "Tokens per minute the embedded mock admits (one second deep); 0 for none. Ignored with "
          + "--base-url. Defaults to " + DEFAULT_TPM + ".")
  long tpm = DEFAULT_TPM;

  /** Instantiated by picocli, once per run. */
  private BatchSample() {}

  @Override
  public Integer call() throws InterruptedException {
    Ranges.atLeast(spec, "--prompts", prompts, 1);
    Ranges.atLeast(spec, "--max-tokens", maxTokens, 1);
    Ranges.atLeast(spec, "--rpm", rpm, 0);
    Ranges.atLeast(spec, "--tpm", tpm, 0);
    PrintWriter out = spec.commandLine().getOut();
    Style style = Style.detect();
    Faults faults = Faults.builder().requestsPerMinute(rpm).tokensPerMinute(tpm).build();
    try (Session session = Session.open(common, Latency.fixed(common.latency()), faults, client -> client
        .governor(noGovernor ? GovernorPolicy.disabled() : GovernorPolicy.defaults()))) {
      session.printTarget(out);
      boolean anthropic = session.provider() == Provider.ANTHROPIC;
      if (session.embedded()) {
        out.printf(Locale.ROOT, "Metered like %s: %s, %s (buckets one second deep)%n",
            anthropic ? "Anthropic" : "OpenAI",
            rpm == 0 ? "no request limit" : rpm + " requests/min",
            tpm == 0 ? "no token limit" : anthropic ? tpm + " input and " + tpm + " output tokens/min" : tpm + " tokens/min");
      }
      out.printf(Locale.ROOT, "Sending %d %s (max_tokens %d) at once, governor %s%n",
          prompts, anthropic ? "messages" : "chat completions", maxTokens, noGovernor ? "off" : "on");
      out.flush();

      AtomicInteger done = new AtomicInteger();
      AtomicLong tokens = new AtomicLong();
      AtomicLong inputTokens = new AtomicLong();
      AtomicLong outputTokens = new AtomicLong();
      List<Integer> inputs = IntStream.range(0, prompts).boxed().collect(Collectors.toList());
      session.resetStats();
      ModeRecorder recorder = ModeRecorder.start(noGovernor ? "ungoverned" : "governed");
      FanoutFuture<List<Outcome<Used>>> run = Fanout.settleAll(inputs, (i, context) -> (anthropic
          ? session.client().messages().createAsync(message(session.model(), i))
              .thenApply(m -> new Used(m.usage().rateLimitedInputTokens(), m.usage().outputTokens(),
                  m.usage().totalInputTokens() + m.usage().outputTokens()))
          : session.client().chat().createAsync(request(session.model(), i))
              .thenApply(c -> new Used(0, 0, c.usage().map(ChatCompletion.Usage::totalTokens).orElse(0))))
          .whenComplete((used, e) -> {
            if (used != null) {
              inputTokens.addAndGet(used.input());
              outputTokens.addAndGet(used.output());
              tokens.addAndGet(used.total());
            }
            done.incrementAndGet();
          }), FanoutOptions.defaults());
      List<Outcome<Used>> outcomes = awaitWithProgress(run, done, out);
      long wallNanos = recorder.finish();
      FanoutReport report = run.report();
      recorder.add(report, e -> new ModeRecorder.Input("prompt " + e.index(), null, "completions"));
      RunReport.Mode mode = recorder.toMode().withServer(session.serverStats());

      int ok = (int) outcomes.stream().filter(Outcome::isSuccess).count();
      int failed = prompts - ok;
      GovernorReport g = report.governor();
      long requests = session.embedded() ? session.stats().totalRequests() : -1;
      long limited = session.embedded() ? session.stats().faults(Stats.RATE_LIMITED) : g.rateLimited();
      out.println();
      out.printf(Locale.ROOT, "%s ok, %s failed, %d 429s%s, wall %.2f s%n",
          style.green(String.valueOf(ok)), failed == 0 ? "0" : style.red(String.valueOf(failed)), limited,
          requests > 0 ? String.format(Locale.ROOT, " (%.1f%% of %d requests)", 100.0 * limited / requests, requests)
              : "",
          wallNanos / 1e9);
      outcomes.stream().filter(o -> !o.isSuccess()).findFirst().ifPresent(o ->
          out.println(style.red("first failure: ") + o.error()));
      if (session.embedded()) {
        double latency = common.latency().toNanos() / 1e9;
        double minimum = anthropic
            ? Math.max(quotaMinimumSeconds(prompts, ok == 0 ? 0 : (double) inputTokens.get() / ok, rpm, tpm, latency),
                quotaMinimumSeconds(prompts, ok == 0 ? 0 : (double) outputTokens.get() / ok, rpm, tpm, latency))
            : quotaMinimumSeconds(prompts, ok == 0 ? 0 : (double) tokens.get() / ok, rpm, tpm, latency);
        if (minimum > 0) {
          out.printf(Locale.ROOT, "quota minimum %.2f s (what %s admit%s), wall / minimum %.2f%n", minimum,
              describeQuota(), rpm > 0 && tpm > 0 ? "" : "s", wallNanos / 1e9 / minimum);
        }
      }
      for (GovernorReport.Bucket b : g.buckets()) {
        out.printf(Locale.ROOT, "governor: bucket %s %s, %d calls waited (%.2f s in all, longest %.2f s)%s%s%n",
            b.host(), b.name(), g.waitedCalls(), g.totalWait().toNanos() / 1e9, g.maxWait().toNanos() / 1e9,
            b.concurrencyLimit().isPresent() ? ", concurrency limit " + b.concurrencyLimit().getAsInt() : "",
            b.limits().stream().map(l -> String.format(Locale.ROOT, ", %s limit %d/min (%.1f/s)",
                l.dimension().name().toLowerCase(Locale.ROOT), l.limit(), l.sustainedPerSecond()))
                .collect(Collectors.joining()));
      }
      session.finish("batch", List.of(mode), out);
      out.flush();
      return failed == 0 ? 0 : 1;
    }
  }

  private ChatRequest request(String model, Integer i) {
    return ChatRequest.builder().model(model)
        .addUserMessage("Write one line about item " + i + ".")
        .maxTokens(maxTokens)
        .build();
  }

  /** The tokens one call used: input that a limit counts and output (Anthropic's split), and in all. */
  private record Used(long input, long output, long total) {}

  private MessageRequest message(String model, Integer i) {
    return MessageRequest.builder().model(model)
        .addUserMessage("Write one line about item " + i + ".")
        .maxTokens(maxTokens)
        .build();
  }

  private String describeQuota() {
    return rpm > 0 && tpm > 0 ? rpm + " requests/min and " + tpm + " tokens/min"
        : rpm > 0 ? rpm + " requests/min" : tpm + " tokens/min";
  }

  /**
   * The least wall time the quota allows for {@code n} calls of {@code tokensPerCall} tokens each: the
   * buckets hold one second's worth at the start and refill at the per-minute rate over 60, and the last
   * call still takes {@code latencySeconds}. 0 when nothing is metered.
   */
  static double quotaMinimumSeconds(int n, double tokensPerCall, long rpm, long tpm, double latencySeconds) {
    return rpm > 0 || tpm > 0 ? Quotas.minimumSeconds(n, tokensPerCall, rpm, tpm) + latencySeconds : 0;
  }

  /** Waits for the run, printing a progress line every second. */
  private static List<Outcome<Used>> awaitWithProgress(
      FanoutFuture<List<Outcome<Used>>> run, AtomicInteger done, PrintWriter out)
      throws InterruptedException {
    long start = System.nanoTime();
    while (true) {
      try {
        return run.get(1, TimeUnit.SECONDS);
      } catch (TimeoutException stillRunning) {
        out.printf(Locale.ROOT, "  %5.1f s: %d done%n", (System.nanoTime() - start) / 1e9, done.get());
        out.flush();
      } catch (ExecutionException e) {
        throw new IllegalStateException("a settle-all never fails, yet: " + e.getCause(), e.getCause());
      }
    }
  }
}
