package dev.fanout.messages;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.Excerpts;
import dev.fanout.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A message the Messages API created: its id, model, content blocks, why it stopped and the tokens it
 * used. Immutable.
 */
public final class Message {
  private final String id;
  private final String model;
  private final List<ContentBlock> content;
  private final String stopReason;
  private final String stopSequence;
  private final Usage usage;
  private final JsonNode raw;

  private Message(String id, String model, List<ContentBlock> content, String stopReason, String stopSequence,
      Usage usage, JsonNode raw) {
    this.id = id;
    this.model = model;
    this.content = List.copyOf(content);
    this.stopReason = stopReason;
    this.stopSequence = stopSequence;
    this.usage = usage;
    this.raw = raw;
  }

  /**
   * Reads a message from its JSON ({@code {"type":"message", "content":[...], "usage":{...}, ...}}).
   *
   * @throws DecodeException if {@code json} is not a message object or a block is malformed
   */
  public static Message fromJson(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new DecodeException("message is not a JSON object: " + Excerpts.abbreviate(String.valueOf(json)));
    }
    String type = json.path("type").asText("message");
    if (!type.equals("message")) {
      throw new DecodeException("expected a message, got type \"" + type + "\": " + Excerpts.abbreviate(json.toString()));
    }
    JsonNode blocks = json.get("content");
    if (blocks == null || !blocks.isArray()) {
      throw new DecodeException("message has no content array: " + Excerpts.abbreviate(json.toString()));
    }
    List<ContentBlock> content = new ArrayList<>(blocks.size());
    for (int i = 0; i < blocks.size(); i++) {
      content.add(block(blocks.get(i), i));
    }
    return new Message(json.path("id").asText(""), json.path("model").asText(""), content,
        textOrNull(json.get("stop_reason")), textOrNull(json.get("stop_sequence")),
        Usage.fromJson(json.get("usage")), json.deepCopy());
  }

  /** Reads one content block of a response. */
  static ContentBlock block(JsonNode b, int i) {
    if (b == null || !b.isObject()) {
      throw new DecodeException("content[" + i + "] is not an object: " + Excerpts.abbreviate(String.valueOf(b)));
    }
    switch (b.path("type").asText("")) {
      case "text": {
        JsonNode text = b.get("text");
        if (text == null || !text.isTextual()) {
          throw new DecodeException("content[" + i + "] text block has no text: " + Excerpts.abbreviate(b.toString()));
        }
        JsonNode citations = b.get("citations");
        if (citations == null || !citations.isArray() || citations.isEmpty()) {
          return new ContentBlock.Text(text.asText());
        }
        List<JsonNode> list = new ArrayList<>(citations.size());
        citations.forEach(c -> list.add(c.deepCopy()));
        return new ContentBlock.Text(text.asText(), list);
      }
      case "tool_use": {
        JsonNode id = b.get("id");
        JsonNode name = b.get("name");
        JsonNode input = b.get("input");
        if (id == null || !id.isTextual() || name == null || !name.isTextual() || input == null || !input.isObject()) {
          throw new DecodeException("content[" + i + "] tool_use block needs a string id and name and an object input: "
              + Excerpts.abbreviate(b.toString()));
        }
        return new ContentBlock.ToolUse(id.asText(), name.asText(), input.deepCopy());
      }
      default:
        return new ContentBlock.Other(b.deepCopy());
    }
  }

  /** Returns {@code id}, such as {@code msg_013Zva2CMHLNnXjNJJKqJ2EF}. */
  public String id() {
    return id;
  }

  /** Returns the model that answered. */
  public String model() {
    return model;
  }

  /** Returns the content blocks, in order. */
  public List<ContentBlock> content() {
    return content;
  }

  /** Returns the text blocks joined, or {@code ""} when there are none. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    for (ContentBlock b : content) {
      if (b instanceof ContentBlock.Text t) {
        sb.append(t.text());
      }
    }
    return sb.toString();
  }

  /** Returns the tool uses, in order; empty when the model used no tool. */
  public List<ContentBlock.ToolUse> toolUses() {
    List<ContentBlock.ToolUse> uses = new ArrayList<>();
    for (ContentBlock b : content) {
      if (b instanceof ContentBlock.ToolUse u) {
        uses.add(u);
      }
    }
    return uses;
  }

  /** Returns why the model stopped. */
  public StopReason stopReason() {
    return StopReason.of(stopReason);
  }

  /** Returns {@code stop_reason} as the server wrote it, if it sent one. */
  public Optional<String> rawStopReason() {
    return Optional.ofNullable(stopReason);
  }

  /** Returns the stop sequence the model wrote, when it stopped at one. */
  public Optional<String> stopSequence() {
    return Optional.ofNullable(stopSequence);
  }

  /** Returns the tokens the message used. */
  public Usage usage() {
    return usage;
  }

  /** Returns this message as an assistant turn, to send back with the results of its tool uses. */
  public MessageParam toParam() {
    return MessageParam.assistant(content.isEmpty() ? List.of(ContentBlock.text("")) : content);
  }

  /** Returns a copy of the JSON the message was read from. */
  public JsonNode raw() {
    return raw.deepCopy();
  }

  @Override
  public String toString() {
    return "Message{id=" + id + ", model=" + model + ", stopReason=" + stopReason + ", blocks=" + content.size()
        + ", " + usage + '}';
  }

  /**
   * The tokens a message used ({@code usage}). {@code input_tokens} counts only the input after the last
   * cache breakpoint: the whole input is {@link #totalInputTokens()}, its three parts added. The parts the
   * server sends only for some requests are optional: empty when a response leaves them out or sends
   * {@code null}. A stream's usage is {@code message_start}'s, each field {@code message_delta} sends
   * replacing it (its counts are cumulative).
   *
   * @param inputTokens input tokens read neither from nor into the prompt cache
   * @param outputTokens tokens the model generated
   * @param cacheCreationInputTokens input tokens written to the prompt cache
   * @param cacheReadInputTokens input tokens read from the prompt cache
   * @param cacheCreation {@code cache_creation}: the tokens written to the cache, by time to live
   * @param serverToolUse {@code server_tool_use}: the requests the server's own tools made
   * @param serviceTier {@code service_tier}: {@code "standard"}, {@code "priority"} or {@code "batch"}, as sent
   */
  public record Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens,
      Optional<CacheCreation> cacheCreation, Optional<ServerToolUse> serverToolUse, Optional<String> serviceTier) {
    /** No usage reported. */
    public static final Usage NONE = new Usage(0, 0, 0, 0);

    /**
     * A usage of the four token counts, without the optional parts.
     */
    public Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens) {
      this(inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens, Optional.empty(),
          Optional.empty(), Optional.empty());
    }

    /** Checks that no optional part is {@code null} (use {@link Optional#empty()}). */
    public Usage {
      Objects.requireNonNull(cacheCreation, "cacheCreation == null");
      Objects.requireNonNull(serverToolUse, "serverToolUse == null");
      Objects.requireNonNull(serviceTier, "serviceTier == null");
    }

    /**
     * Reads {@code usage}; a missing or null count is 0, a missing or null {@code cache_creation},
     * {@code server_tool_use} or {@code service_tier} is empty.
     */
    public static Usage fromJson(JsonNode u) {
      if (u == null || !u.isObject()) {
        return NONE;
      }
      JsonNode cache = u.get("cache_creation");
      JsonNode tools = u.get("server_tool_use");
      JsonNode tier = u.get("service_tier");
      return new Usage(u.path("input_tokens").asLong(0), u.path("output_tokens").asLong(0),
          u.path("cache_creation_input_tokens").asLong(0), u.path("cache_read_input_tokens").asLong(0),
          cache != null && cache.isObject()
              ? Optional.of(new CacheCreation(cache.path("ephemeral_5m_input_tokens").asLong(0),
                  cache.path("ephemeral_1h_input_tokens").asLong(0)))
              : Optional.empty(),
          tools != null && tools.isObject()
              ? Optional.of(new ServerToolUse(tools.path("web_search_requests").asLong(0),
                  tools.path("web_fetch_requests").asLong(0)))
              : Optional.empty(),
          tier != null && tier.isTextual() ? Optional.of(tier.asText()) : Optional.empty());
    }

    /** Returns every input token: uncached, written to the cache and read from it. */
    public long totalInputTokens() {
      return inputTokens + cacheCreationInputTokens + cacheReadInputTokens;
    }

    /**
     * Returns the input tokens that count against an input-tokens-per-minute limit: for current models
     * Anthropic counts uncached input and cache writes, not cache reads.
     */
    public long rateLimitedInputTokens() {
      return inputTokens + cacheCreationInputTokens;
    }

    /**
     * The input tokens written to the prompt cache, by the time to live of their cache entry
     * ({@code usage.cache_creation}); together they make {@code cache_creation_input_tokens}. A missing or
     * null count is 0.
     *
     * @param ephemeral5mInputTokens {@code ephemeral_5m_input_tokens}: written to 5-minute entries
     * @param ephemeral1hInputTokens {@code ephemeral_1h_input_tokens}: written to 1-hour entries
     */
    public record CacheCreation(long ephemeral5mInputTokens, long ephemeral1hInputTokens) {}

    /**
     * The requests the server's own tools made for a message ({@code usage.server_tool_use}): web searches
     * are billed per request, on top of tokens. A missing or null count is 0.
     *
     * @param webSearchRequests {@code web_search_requests}: searches by the web search tool
     * @param webFetchRequests {@code web_fetch_requests}: fetches by the web fetch tool
     */
    public record ServerToolUse(long webSearchRequests, long webFetchRequests) {}
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  static JsonNode tree(Object value) {
    return Json.valueToTree(value);
  }
}
