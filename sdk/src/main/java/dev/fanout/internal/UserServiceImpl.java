package dev.fanout.internal;

import dev.fanout.users.User;
import dev.fanout.users.UserService;
import java.util.concurrent.CompletableFuture;

/** {@code GET users/{id}} under the base URL, read as {@link User}. */
public final class UserServiceImpl implements UserService {
  private final HttpEngine engine;

  public UserServiceImpl(HttpEngine engine) {
    this.engine = engine;
  }

  @Override
  public User get(long id) {
    return HttpEngine.await(getAsync(id));
  }

  @Override
  public CompletableFuture<User> getAsync(long id) {
    if (id < 1) {
      throw new IllegalArgumentException("id < 1: " + id);
    }
    return engine.start(
        engine.request("GET", engine.resolve("users/" + id), null).build(),
        JsonHandlers.of(Json.MAPPER.constructType(User.class), engine.maxResponseBytes()));
  }
}
