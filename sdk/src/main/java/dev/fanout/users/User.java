package dev.fanout.users;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * A user as the users API returns it: {@code {"id": 7, "name": "...", "email": "..."}}. Immutable.
 *
 * <p>All three fields are required; a response missing one fails with
 * {@link dev.fanout.errors.DecodeException}.
 */
public record User(long id, String name, String email) {

  @JsonCreator
  public User(
      @JsonProperty(value = "id", required = true) long id,
      @JsonProperty(value = "name", required = true) String name,
      @JsonProperty(value = "email", required = true) String email) {
    this.id = id;
    this.name = Objects.requireNonNull(name, "name == null");
    this.email = Objects.requireNonNull(email, "email == null");
  }
}
