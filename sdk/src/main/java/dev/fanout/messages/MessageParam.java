package dev.fanout.messages;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One turn of the conversation sent to the Messages API: a role ({@code user} or {@code assistant}) and its
 * content blocks. Immutable. A system prompt is not a turn: set it with {@link MessageRequest.Builder#system}.
 */
public record MessageParam(Role role, List<ContentBlock> content) {
  /** Who speaks a turn. */
  public enum Role {
    USER("user"),
    ASSISTANT("assistant");

    private final String wire;

    Role(String wire) {
      this.wire = wire;
    }

    /** Returns the role as the API writes it. */
    public String wire() {
      return wire;
    }
  }

  public MessageParam {
    Objects.requireNonNull(role, "role == null");
    Objects.requireNonNull(content, "content == null");
    content = List.copyOf(content);
    if (content.isEmpty()) {
      throw new IllegalArgumentException("a " + role.wire + " message needs at least one content block");
    }
  }

  /** Returns a user turn of one text block. */
  public static MessageParam user(String text) {
    return new MessageParam(Role.USER, List.of(ContentBlock.text(text)));
  }

  /** Returns a user turn of {@code blocks} (text, images, tool results). */
  public static MessageParam user(List<? extends ContentBlock> blocks) {
    return new MessageParam(Role.USER, List.copyOf(blocks));
  }

  /** Returns an assistant turn of one text block (a prefill, or an earlier answer). */
  public static MessageParam assistant(String text) {
    return new MessageParam(Role.ASSISTANT, List.of(ContentBlock.text(text)));
  }

  /** Returns an assistant turn of {@code blocks} (such as an earlier answer's text and tool uses). */
  public static MessageParam assistant(List<? extends ContentBlock> blocks) {
    return new MessageParam(Role.ASSISTANT, List.copyOf(blocks));
  }

  /**
   * Returns {@code turns} with each run of consecutive turns of one role joined into one turn holding their
   * blocks in order, as the Messages API wants the roles to alternate (tool results and the user text after
   * them, for example, are one user turn).
   */
  public static List<MessageParam> joinConsecutive(List<MessageParam> turns) {
    Objects.requireNonNull(turns, "turns == null");
    List<MessageParam> joined = new ArrayList<>(turns.size());
    Role role = null;
    List<ContentBlock> blocks = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      MessageParam turn = Objects.requireNonNull(turns.get(i), "turns[" + i + "] == null");
      if (role != null && role != turn.role()) {
        joined.add(new MessageParam(role, blocks));
        blocks = new ArrayList<>();
      }
      role = turn.role();
      blocks.addAll(turn.content());
    }
    if (role != null) {
      joined.add(new MessageParam(role, blocks));
    }
    return joined;
  }
}
