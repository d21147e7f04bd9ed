package dev.fanout.users;

import java.util.concurrent.CompletableFuture;

/**
 * The users API: {@code GET users/{id}} relative to the client's base URL. Obtain it from
 * {@link dev.fanout.FanoutClient#users()}.
 *
 * <h2>The answer is the user asked for, or a failure.</h2>
 * A 2xx body that is not a {@link User} (empty, {@code null}, an array, a user without {@code id},
 * {@code name} or {@code email}) fails with {@link dev.fanout.errors.DecodeException} naming the call and
 * what was wrong ({@code GET /users/7: expected a JSON object (User), got null}). So does a user whose id is
 * not the one asked for ({@code GET /users/7: asked for user 7, got user 999}): in a fan-out, data
 * attributed to the wrong input is worse than a failure. Such failures are not retried. To accept another
 * id (a backend answering an alias with its canonical user), call
 * {@code client.json().get("users/7", User.class)}, which reads the user without checking its id.
 */
public interface UserService {
  /**
   * Fetches user {@code id}, blocking until it arrives.
   *
   * @throws IllegalArgumentException if {@code id < 1}, before any request is made
   * @throws dev.fanout.errors.FanoutException if the call fails (for example
   *     {@link dev.fanout.errors.NotFoundException}, or {@link dev.fanout.errors.DecodeException} for an
   *     answer that is not user {@code id})
   */
  User get(long id);

  /**
   * Starts fetching user {@code id} and returns its pending result. Cancelling the future cancels the HTTP
   * call (and any pending retry). Failures complete the future with a
   * {@link dev.fanout.errors.FanoutException}.
   *
   * @throws IllegalArgumentException if {@code id < 1}, synchronously and before any request is made
   */
  CompletableFuture<User> getAsync(long id);

  /**
   * Returns a view of this service whose calls use {@code options} (timeout, extra headers, retry policy,
   * label, context) on top of this view's own. The view is as cheap as a small object and as thread-safe
   * as this one.
   */
  UserService withOptions(dev.fanout.CallOptions options);

  /**
   * Returns a view of this service whose calls are bound to {@code context} from any thread: its
   * deadline, its cancellation and its fan-out's trace. Same as
   * {@code withOptions(CallOptions.builder().context(context).build())}.
   */
  default UserService withContext(dev.fanout.FanoutContext context) {
    return withOptions(dev.fanout.CallOptions.builder().context(context).build());
  }
}
