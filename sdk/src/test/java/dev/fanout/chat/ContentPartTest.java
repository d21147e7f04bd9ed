package dev.fanout.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A user message of text and images is OpenAI's content array; bad parts are refused, naming the value. */
@Timeout(10)
class ContentPartTest {
  @Test
  void aMessageOfPartsIsSentAsOpenAisContentArray() {
    ChatMessage message = ChatMessage.user(ContentPart.text("What is this?"),
        ContentPart.imageUrl("https://example.com/a.png", "high"), ContentPart.imageData("image/png", "iVBO", null),
        ContentPart.text("Be brief."));
    ChatRequest request = ChatRequest.builder().model("gpt-4o-mini").addMessage(message).build();

    assertThat(message.content()).isEqualTo("What is this?\nBe brief.");
    assertThat(message.parts()).hasSize(4);
    assertThat(request.toJson()).isEqualTo(request.toJsonNode().toString())
        .contains("\"messages\":[{\"role\":\"user\",\"content\":["
            + "{\"type\":\"text\",\"text\":\"What is this?\"},"
            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\",\"detail\":\"high\"}},"
            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBO\"}},"
            + "{\"type\":\"text\",\"text\":\"Be brief.\"}]}]");
    assertThat(ChatMessage.user("plain").parts()).isEmpty();
    assertThat(message).isEqualTo(ChatMessage.user(List.copyOf(message.parts())))
        .isNotEqualTo(ChatMessage.user("What is this?\nBe brief."));
  }

  @Test
  void badPartsAreRefusedNamingTheValue() {
    assertThatThrownBy(() -> ContentPart.imageUrl("ftp://x/a.png")).hasMessage("image url is not an http(s) or data: URL: ftp://x/a.png");
    assertThatThrownBy(() -> ContentPart.imageUrl("https://x/a.png", "medium")).hasMessage("detail is not low, high or auto: medium");
    assertThatThrownBy(() -> ContentPart.imageData("text/plain", "AAAA", null)).hasMessage("mimeType is not an image type: text/plain");
    assertThatThrownBy(() -> ChatMessage.user(List.of())).hasMessageContaining("parts is empty");
    assertThatThrownBy(() -> ContentPart.text(null)).hasMessage("text == null");
  }
}
