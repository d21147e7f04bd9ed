package dev.fanout.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One request of a job: a line of OpenAI's Batch API input format,
 * {@code {"custom_id": "...", "method": "POST", "url": "/v1/chat/completions", "body": {...}}}.
 *
 * @param line the line's number in its input, from 1
 * @param customId the caller's id for the request, unique in the input; its result line carries it
 * @param method the HTTP method, upper case: {@code POST}, {@code GET}, {@code PUT}, {@code PATCH} or
 *     {@code DELETE}
 * @param url the path under the base URL, such as {@code /v1/chat/completions}
 * @param body the JSON body, or {@code null} for none
 */
public record JobRequest(long line, String customId, String method, String url, JsonNode body) {
  public JobRequest {
    Objects.requireNonNull(customId, "customId == null");
    Objects.requireNonNull(method, "method == null");
    Objects.requireNonNull(url, "url == null");
  }
}
