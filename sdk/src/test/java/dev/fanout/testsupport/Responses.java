package dev.fanout.testsupport;

import mockwebserver3.MockResponse;

/** Shorthands for scripted responses. */
public final class Responses {
  private Responses() {}

  public static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  public static MockResponse json(String body) {
    return json(200, body);
  }

  public static MockResponse user(long id) {
    return json("{\"id\":" + id + ",\"name\":\"User " + id + "\",\"email\":\"user" + id + "@example.com\"}");
  }
}
