package dev.fanout.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@link ServiceException#errorType()} and {@link ServiceException#requestId()} read, in each provider's shape. */
@Timeout(10)
class ServiceExceptionAccessorsTest {
  private static ServiceException of(Map<String, List<String>> headers, String body) {
    return new ServiceException("HTTP 400", new ErrorResponse(400, "POST", "https://h/v1/x", headers, body));
  }

  @Test
  void anthropicsEnvelopeGivesTheTypeAndTheBodysRequestIdWhenNoHeaderHasOne() {
    String body = "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad\"},"
        + "\"request_id\":\"req_body\"}";
    assertThat(of(Map.of("request-id", List.of("req_header")), body).requestId()).contains("req_header");
    assertThat(of(Map.of(), body).requestId()).contains("req_body");
    assertThat(of(Map.of(), body).errorType()).contains("invalid_request_error");
  }

  @Test
  void openAisShapeGivesTheTypeAndXRequestId() {
    String body = "{\"error\":{\"message\":\"m\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";
    ServiceException e = of(Map.of("x-request-id", List.of("req_abc")), body);
    assertThat(e.errorType()).contains("invalid_request_error");
    assertThat(e.requestId()).contains("req_abc");
  }

  @Test
  void aBodyThatIsNotSuchJsonGivesNeither() {
    for (String body : new String[] {"", "<html>502 Bad Gateway</html>", "{\"error\":\"e400\"}", "[1]"}) {
      ServiceException e = of(Map.of(), body);
      assertThat(e.errorType()).as(body).isEmpty();
      assertThat(e.requestId()).as(body).isEmpty();
    }
  }
}
