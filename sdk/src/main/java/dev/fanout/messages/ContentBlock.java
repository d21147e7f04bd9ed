package dev.fanout.messages;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One block of a message's content, as the Messages API sends and receives it: text, an image, a tool use
 * (the model calling a tool), a tool result (the caller's answer to one), or a block of another type kept
 * as the server sent it. Immutable.
 */
public sealed interface ContentBlock {
  /** Returns the block's wire {@code type}: {@code text}, {@code image}, {@code tool_use}, {@code tool_result}, .... */
  String type();

  /** Returns a {@code text} block. */
  static Text text(String text) {
    return new Text(text);
  }

  /** Returns an {@code image} block with base64 data ({@code source.type: base64}). */
  static Image imageBase64(String mediaType, String base64Data) {
    return new Image(Objects.requireNonNull(mediaType, "mediaType == null"),
        Objects.requireNonNull(base64Data, "base64Data == null"), null);
  }

  /** Returns an {@code image} block the server fetches from {@code url} ({@code source.type: url}). */
  static Image imageUrl(String url) {
    return new Image(null, null, Objects.requireNonNull(url, "url == null"));
  }

  /** Returns a {@code tool_result} block answering the tool use {@code toolUseId} with {@code content}. */
  static ToolResult toolResult(String toolUseId, String content) {
    return new ToolResult(toolUseId, content, false);
  }

  /** Returns a {@code tool_result} block reporting that the tool use {@code toolUseId} failed. */
  static ToolResult toolError(String toolUseId, String content) {
    return new ToolResult(toolUseId, content, true);
  }

  /**
   * Returns a {@code tool_result} block answering the tool use {@code toolUseId} with {@code blocks}: text,
   * images, or other blocks in their wire form ({@link Other}, such as a {@code document}).
   *
   * @throws IllegalArgumentException if {@code blocks} is empty or holds a tool use or tool result
   */
  static ToolResult toolResult(String toolUseId, List<? extends ContentBlock> blocks) {
    return ToolResult.ofBlocks(toolUseId, blocks, false);
  }

  /** Returns a {@code tool_result} block reporting, with {@code blocks}, that the tool use {@code toolUseId} failed. */
  static ToolResult toolError(String toolUseId, List<? extends ContentBlock> blocks) {
    return ToolResult.ofBlocks(toolUseId, blocks, true);
  }

  /**
   * A {@code text} block, with the {@code citations} that back it (each in its wire form, such as a
   * {@code char_location} or {@code web_search_result_location}) when the model cited sources; sent back
   * with them.
   */
  record Text(String text, List<JsonNode> citations) implements ContentBlock {
    public Text {
      Objects.requireNonNull(text, "text == null");
      citations = List.copyOf(Objects.requireNonNull(citations, "citations == null"));
    }

    /** A text block without citations. */
    public Text(String text) {
      this(text, List.of());
    }

    @Override
    public String type() {
      return "text";
    }
  }

  /**
   * An {@code image} block: base64 data with its media type ({@code image/jpeg}, {@code image/png},
   * {@code image/gif}, {@code image/webp}), or a URL.
   */
  record Image(String mediaType, String base64Data, String url) implements ContentBlock {
    public Image {
      if ((url == null) == (base64Data == null)) {
        throw new IllegalArgumentException("an image has either base64 data or a url, not "
            + (url == null ? "neither" : "both"));
      }
      if (base64Data != null && mediaType == null) {
        throw new IllegalArgumentException("mediaType == null for base64 image data");
      }
    }

    @Override
    public String type() {
      return "image";
    }
  }

  /**
   * A {@code tool_use} block: the model calls tool {@code name} with {@code input} (a JSON object); answer
   * it with a {@link ToolResult} carrying the same {@code id} in the next user message.
   */
  record ToolUse(String id, String name, JsonNode input) implements ContentBlock {
    public ToolUse {
      Objects.requireNonNull(id, "id == null");
      Objects.requireNonNull(name, "name == null");
      Objects.requireNonNull(input, "input == null");
    }

    @Override
    public String type() {
      return "tool_use";
    }
  }

  /**
   * A {@code tool_result} block: the result of the tool use {@code toolUseId}; {@code isError} when it
   * failed. Its {@code content} is sent as a string, or as {@code blocks} when there are any; for a result of
   * blocks {@code content} is the text of its text blocks, joined.
   */
  record ToolResult(String toolUseId, String content, boolean isError, List<ContentBlock> blocks)
      implements ContentBlock {
    public ToolResult {
      Objects.requireNonNull(toolUseId, "toolUseId == null");
      Objects.requireNonNull(content, "content == null");
      blocks = List.copyOf(Objects.requireNonNull(blocks, "blocks == null"));
      for (int i = 0; i < blocks.size(); i++) {
        ContentBlock b = blocks.get(i);
        if (b instanceof ToolUse || b instanceof ToolResult) {
          throw new IllegalArgumentException("tool_result blocks[" + i + "] is a " + b.type()
              + " block: a tool result holds text, images or documents");
        }
      }
    }

    /** A result sent as the string {@code content}. */
    public ToolResult(String toolUseId, String content, boolean isError) {
      this(toolUseId, content, isError, List.of());
    }

    static ToolResult ofBlocks(String toolUseId, List<? extends ContentBlock> blocks, boolean isError) {
      Objects.requireNonNull(blocks, "blocks == null");
      if (blocks.isEmpty()) {
        throw new IllegalArgumentException("a tool result of blocks needs at least one block");
      }
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < blocks.size(); i++) {
        if (Objects.requireNonNull(blocks.get(i), "blocks[" + i + "] == null") instanceof Text t) {
          text.append(t.text());
        }
      }
      return new ToolResult(toolUseId, text.toString(), isError, List.copyOf(blocks));
    }

    @Override
    public String type() {
      return "tool_result";
    }
  }

  /** A block of a type this SDK does not model (such as {@code thinking}), kept as the server sent it. */
  record Other(JsonNode raw) implements ContentBlock {
    public Other {
      Objects.requireNonNull(raw, "raw == null");
    }

    @Override
    public String type() {
      return raw.path("type").asText("");
    }

    /** Returns the block's field {@code name} as text, if it has one. */
    public Optional<String> text(String name) {
      JsonNode v = raw.get(name);
      return v != null && v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
    }
  }
}
