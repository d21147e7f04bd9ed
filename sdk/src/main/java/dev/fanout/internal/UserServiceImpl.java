package dev.fanout.internal;

import dev.fanout.CallOptions;
import dev.fanout.errors.DecodeException;
import dev.fanout.users.User;
import dev.fanout.users.UserService;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET users/{id}} under the base URL, read as {@link User}. The answer must be the user asked for:
 * an answer naming another id is a {@link DecodeException}, so a fan-out never attributes one input's data
 * to another.
 */
final class UserServiceImpl implements UserService {
  private final HttpEngine engine;
  private final CallOptions options;
  private final LogicalCall.Handler<User> json;

  UserServiceImpl(HttpEngine engine) {
    this(engine, CallOptions.defaults(),
        JsonHandlers.of(Json.MAPPER.constructType(User.class), engine.maxResponseBytes()));
  }

  private UserServiceImpl(HttpEngine engine, CallOptions options, LogicalCall.Handler<User> json) {
    this.engine = engine;
    this.options = options;
    this.json = json;
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
    LogicalCall.Handler<User> json = this.json;
    return engine.start(
        engine.request("GET", engine.resolve("users/" + id), null).build(),
        (response, call) -> {
          User user = json.handle(response, call);
          if (user.id() != id) {
            throw new DecodeException(call.label() + ": asked for user " + id + ", got user " + user.id());
          }
          return user;
        },
        options);
  }

  @Override
  public UserService withOptions(CallOptions options) {
    Objects.requireNonNull(options, "options == null");
    return new UserServiceImpl(engine, this.options.merge(options), json);
  }
}
