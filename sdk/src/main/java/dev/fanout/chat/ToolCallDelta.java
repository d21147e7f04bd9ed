package dev.fanout.chat;

import java.util.Optional;

/**
 * One streamed fragment of a tool call, as a chunk's {@code delta.tool_calls[]} carries it: the call's
 * {@code index} within its choice, and, in the call's first fragment, its {@code id} and function
 * {@code name}; the {@code arguments} JSON text arrives in pieces across later fragments. The stream
 * assembles the fragments into {@link ToolCall}s of the final {@link ChatCompletion}; a listener sees them
 * as they come. Immutable.
 *
 * @param choiceIndex the choice the call belongs to (0 unless {@code n > 1})
 * @param index the call's position among the choice's tool calls
 * @param id the call's id, in its first fragment only
 * @param name the function's name, in its first fragment only
 * @param argumentsFragment the next piece of the arguments text; {@code ""} if none in this fragment
 */
public record ToolCallDelta(
    int choiceIndex, int index, Optional<String> id, Optional<String> name, String argumentsFragment) {}
