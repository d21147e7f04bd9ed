package dev.fanout.internal.governor;

/** What a published rate limit counts: requests, or tokens (all, or only a request's input or output). */
public enum LimitDimension {
  /** Requests: every call costs 1. */
  REQUESTS,
  /** Tokens, input and output together (OpenAI's {@code x-ratelimit-*-tokens}, Anthropic's {@code -tokens-}). */
  TOKENS,
  /** Input (prompt) tokens only (Anthropic's {@code anthropic-ratelimit-input-tokens-*}). */
  INPUT_TOKENS,
  /** Output tokens only, charged at {@code max_tokens} up front (Anthropic's {@code -output-tokens-*}). */
  OUTPUT_TOKENS;

  /** Returns what a call of the given estimate costs against this dimension. */
  long cost(TokenEstimate estimate) {
    switch (this) {
      case REQUESTS:
        return 1;
      case TOKENS:
        return estimate.total();
      case INPUT_TOKENS:
        return estimate.inputTokens();
      case OUTPUT_TOKENS:
        return estimate.outputTokens();
      default:
        throw new AssertionError(this);
    }
  }
}
