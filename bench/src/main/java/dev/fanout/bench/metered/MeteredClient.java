package dev.fanout.bench.metered;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.Outcome;
import dev.fanout.bench.ResultLine;
import dev.fanout.bench.cli.GovernorOption;
import dev.fanout.bench.cli.MaxTokensOption;
import dev.fanout.bench.cli.ProviderOption;
import dev.fanout.bench.cli.UrlOption;
import dev.fanout.chat.ChatRequest;
import dev.fanout.messages.MessageRequest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One client process of the metered benchmark: sends {@code --n} chat completions at once through a
 * {@link FanoutClient} (its defaults, or the governor off at a given {@code maxInFlight}) and prints one
 * line, {@code RESULT {json}}: ok, failed, start and end (epoch milliseconds), the tokens the responses
 * reported and the failures by type.
 */
@Command(name = "metered-client", mixinStandardHelpOptions = true,
    description = "One client process of the metered benchmark (the 'metered' command starts it).")
public final class MeteredClient implements Callable<Integer> {
  @Mixin
  UrlOption url;

  @Option(names = "--n", defaultValue = "1000", description = "Chat completions to send. Defaults to ${DEFAULT-VALUE}.")
  int n;

  @Option(names = "--offset", defaultValue = "0",
      description = "First prompt number (two processes send different prompts). Defaults to ${DEFAULT-VALUE}.")
  int offset;

  @Mixin
  MaxTokensOption maxTokens;

  @Mixin
  GovernorOption governor;

  @Option(names = "--max-in-flight", defaultValue = "0",
      description = "The client's maxInFlight; 0 keeps FanoutClient.DEFAULT_MAX_IN_FLIGHT. Defaults to ${DEFAULT-VALUE}.")
  int maxInFlight;

  @Option(names = "--start-at", defaultValue = "0",
      description = "Epoch milliseconds to start at (processes of one row start together); 0 starts at once. "
          + "Defaults to ${DEFAULT-VALUE}.")
  long startAt;

  @Mixin
  ProviderOption provider;

  @Override
  public Integer call() throws Exception {
    FanoutClient.Builder b = governor.applyTo(FanoutClient.builder().baseUrl(url.url()).apiKey("sk-bench-metered"));
    if (maxInFlight > 0) {
      b.maxInFlight(maxInFlight);
    }
    try (FanoutClient client = b.build()) {
      List<Integer> prompts = IntStream.range(offset, offset + n).boxed().collect(Collectors.toList());
      long wait = startAt - System.currentTimeMillis();
      if (wait > 0) {
        TimeUnit.MILLISECONDS.sleep(wait);
      }
      long start = System.currentTimeMillis();
      boolean anthropic = provider.anthropic();
      // What each call charged the binding token limit: OpenAI's total; Anthropic's input (uncached and cache
      // writes) and output, summed apart (the larger sum binds, each against its own per-minute limit).
      List<Outcome<long[]>> outcomes = Fanout.settleAll(prompts, (i, context) -> anthropic
          ? client.messages().createAsync(MessageRequest.builder().model("claude-haiku-4-5")
              .addUserMessage("Write one line about item " + i + ".").maxTokens(maxTokens.maxTokens()).build())
              .thenApply(m -> new long[] {m.usage().rateLimitedInputTokens(), m.usage().outputTokens()})
          : client.chat().createAsync(ChatRequest.builder().model("gpt-4o-mini")
              .addUserMessage("Write one line about item " + i + ".").maxTokens(maxTokens.maxTokens()).build())
              .thenApply(c -> new long[] {c.usage().map(u -> (long) u.totalTokens()).orElse(0L), 0}),
          FanoutOptions.defaults()).get(10, TimeUnit.MINUTES);
      long end = System.currentTimeMillis();
      int ok = 0;
      long first = 0;
      long second = 0;
      Map<String, Integer> errors = new TreeMap<>();
      for (Outcome<long[]> o : outcomes) {
        if (o.isSuccess()) {
          ok++;
          first += o.value()[0];
          second += o.value()[1];
        } else {
          errors.merge(o.error().getClass().getSimpleName(), 1, Integer::sum);
        }
      }
      long tokens = Math.max(first, second);
      ObjectMapper json = new ObjectMapper();
      ObjectNode r = json.createObjectNode();
      r.put("ok", ok);
      r.put("failed", n - ok);
      r.put("startMillis", start);
      r.put("endMillis", end);
      r.put("tokens", tokens);
      r.set("errors", json.valueToTree(errors));
      ResultLine.print(System.out, r);
    }
    return 0;
  }
}
