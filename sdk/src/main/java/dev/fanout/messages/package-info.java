/**
 * Anthropic's Messages API ({@code POST /v1/messages}): requests, content blocks, tools and streamed
 * events, as {@link dev.fanout.FanoutClient#messages()} sends them. The types follow Anthropic's wire names
 * ({@code max_tokens}, {@code tool_use}, {@code stop_reason}) in Java's camel case.
 */
package dev.fanout.messages;
