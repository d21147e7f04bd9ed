package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which path segments become {@code *} in the route a bucket and a latency record are kept under. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class RouteTemplateTest {
  @Test
  void idsTokensAndAddressesBecomeAStarWordsStay() {
    assertThat(GovernorGate.routeTemplate("/users/42")).isEqualTo("/users/*");
    assertThat(GovernorGate.routeTemplate("/users/9f86d081884c")).isEqualTo("/users/*");
    assertThat(GovernorGate.routeTemplate("/files/0b5a1e6c-3f1d-4c59-9d3a-7f2b1c9e8a41/content"))
        .isEqualTo("/files/*/content");
    assertThat(GovernorGate.routeTemplate("/users/ada@example.com")).isEqualTo("/users/*");
    assertThat(GovernorGate.routeTemplate("/tags/caf%C3%A9")).isEqualTo("/tags/*");
    assertThat(GovernorGate.routeTemplate("/docs/the-quick-brown-fox-jumps-over")).isEqualTo("/docs/*");
    assertThat(GovernorGate.routeTemplate("/v1/chat/completions")).isEqualTo("/v1/chat/completions");
    assertThat(GovernorGate.routeTemplate("/users/alice")).isEqualTo("/users/alice");
  }

  @Test
  void emptySegmentsAndSlashesAreKeptWhereTheyAre() {
    assertThat(GovernorGate.routeTemplate("")).isEqualTo("");
    assertThat(GovernorGate.routeTemplate("/")).isEqualTo("/");
    assertThat(GovernorGate.routeTemplate("/users/42/")).isEqualTo("/users/*/");
    assertThat(GovernorGate.routeTemplate("users/42")).isEqualTo("users/*");
    assertThat(GovernorGate.routeTemplate("/a//42//b")).isEqualTo("/a//*//b");
    assertThat(GovernorGate.routeTemplate("42")).isEqualTo("*");
    assertThat(GovernorGate.routeTemplate("/v2/items/7/parts/8")).isEqualTo("/v2/items/*/parts/*");
    String unchanged = "/v1/users/alice";
    assertThat(GovernorGate.routeTemplate(unchanged)).isSameAs(unchanged); // no id: no new string
  }
}
