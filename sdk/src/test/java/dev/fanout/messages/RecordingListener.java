package dev.fanout.messages;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stream listener that writes each callback down as one line, in order: {@code "text 0 Hi"},
 * {@code "json 1 {\"city\""}, {@code "thinking 0 ..."}, {@code "cite 3 <cited_text>"}, {@code "stop 0 text"},
 * {@code "reason END_TURN"} ({@link MessageStreamListener#onBlockStart} is left out).
 */
final class RecordingListener implements MessageStreamListener {
  final List<String> seen = new CopyOnWriteArrayList<>();

  @Override
  public void onText(int index, String text) {
    seen.add("text " + index + " " + text);
  }

  @Override
  public void onToolInputDelta(int index, String partialJson) {
    seen.add("json " + index + " " + partialJson);
  }

  @Override
  public void onThinking(int index, String thinking) {
    seen.add("thinking " + index + " " + thinking);
  }

  @Override
  public void onCitation(int index, JsonNode citation) {
    seen.add("cite " + index + " " + citation.get("cited_text").asText());
  }

  @Override
  public void onBlockStop(int index, ContentBlock block) {
    seen.add("stop " + index + " " + block.type());
  }

  @Override
  public void onStop(StopReason reason) {
    seen.add("reason " + reason);
  }
}
