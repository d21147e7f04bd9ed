package dev.fanout.internal;

/**
 * What the governor needs of a chat request, tagged on it by the service that wrote its body, so that the
 * gate reads it instead of parsing the body again: the model (the bucket), the prompt's characters and the
 * {@code max_completion_tokens}/{@code max_tokens} asked for (-1 if none).
 */
record ChatTag(String model, long promptChars, long maxTokens) {}
