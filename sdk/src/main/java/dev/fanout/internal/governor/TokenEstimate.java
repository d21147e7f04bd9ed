package dev.fanout.internal.governor;

/**
 * What a call is expected to cost in tokens before it is sent, split as Anthropic meters it: input (the
 * prompt) and output (charged at {@code max_tokens} up front). OpenAI charges the total.
 *
 * @param inputTokens estimated prompt tokens, at least 0
 * @param outputTokens tokens the call may generate, at least 0
 */
public record TokenEstimate(long inputTokens, long outputTokens) {
  /** A call that is not metered in tokens (a plain REST call): only its request counts. */
  public static final TokenEstimate NONE = new TokenEstimate(0, 0);

  public TokenEstimate {
    if (inputTokens < 0) {
      throw new IllegalArgumentException("inputTokens < 0: " + inputTokens);
    }
    if (outputTokens < 0) {
      throw new IllegalArgumentException("outputTokens < 0: " + outputTokens);
    }
  }

  /**
   * Estimates a chat completion the way OpenAI's limiter does: prompt characters / 4 (rounded up) plus
   * {@code maxTokens}.
   */
  public static TokenEstimate chat(long promptChars, long maxTokens) {
    if (promptChars < 0) {
      throw new IllegalArgumentException("promptChars < 0: " + promptChars);
    }
    return new TokenEstimate((promptChars + 3) / 4, maxTokens);
  }

  /** An estimate of {@code tokens} in all, counted as input. */
  public static TokenEstimate ofTotal(long tokens) {
    return new TokenEstimate(tokens, 0);
  }

  /** Returns input plus output tokens, saturating. */
  public long total() {
    long t = inputTokens + outputTokens;
    return t < 0 ? Long.MAX_VALUE : t;
  }
}
