package dev.fanout.chat;

import java.util.Objects;
import java.util.Set;

/**
 * One part of a user message's content, in OpenAI's shape: text, or an image given by URL (an {@code https}
 * URL, or a {@code data:} URL carrying the image itself). A message of parts is sent as a content array:
 * {@code [{"type":"text","text":...},{"type":"image_url","image_url":{"url":...,"detail":"low"}}]}.
 */
public sealed interface ContentPart permits ContentPart.Text, ContentPart.ImageUrl {
  /** Returns a text part. */
  static ContentPart text(String text) {
    return new Text(text);
  }

  /** Returns an image part whose detail the server chooses ({@code detail} not sent, OpenAI's {@code auto}). */
  static ContentPart imageUrl(String url) {
    return new ImageUrl(url, null);
  }

  /** Returns an image part with OpenAI's {@code detail}: {@code low}, {@code high} or {@code auto}. */
  static ContentPart imageUrl(String url, String detail) {
    return new ImageUrl(url, Objects.requireNonNull(detail, "detail == null"));
  }

  /** Returns an image part carrying the image: a {@code data:MIME;base64,DATA} URL. */
  static ContentPart imageData(String mimeType, String base64Data, String detail) {
    Objects.requireNonNull(mimeType, "mimeType == null");
    Objects.requireNonNull(base64Data, "base64Data == null");
    if (!mimeType.startsWith("image/")) {
      throw new IllegalArgumentException("mimeType is not an image type: " + mimeType);
    }
    return new ImageUrl("data:" + mimeType + ";base64," + base64Data, detail);
  }

  /**
   * A text part.
   *
   * @param text the text, not null
   */
  record Text(String text) implements ContentPart {
    public Text {
      Objects.requireNonNull(text, "text == null");
    }
  }

  /**
   * An image part.
   *
   * @param url an {@code http(s)} or {@code data:} URL
   * @param detail {@code low}, {@code high} or {@code auto}; null leaves it to the server
   */
  record ImageUrl(String url, String detail) implements ContentPart {
    private static final Set<String> DETAILS = Set.of("low", "high", "auto");

    public ImageUrl {
      Objects.requireNonNull(url, "url == null");
      if (!(url.startsWith("https://") || url.startsWith("http://") || url.startsWith("data:"))) {
        throw new IllegalArgumentException("image url is not an http(s) or data: URL: "
            + (url.length() > 40 ? url.substring(0, 40) + "..." : url));
      }
      if (detail != null && !DETAILS.contains(detail)) {
        throw new IllegalArgumentException("detail is not low, high or auto: " + detail);
      }
    }

    /** Returns the URL, a data URL cut to its first 40 characters. */
    @Override
    public String toString() {
      return "ImageUrl[url=" + (url.length() > 40 ? url.substring(0, 40) + "..." : url)
          + (detail == null ? "" : ", detail=" + detail) + "]";
    }
  }
}
