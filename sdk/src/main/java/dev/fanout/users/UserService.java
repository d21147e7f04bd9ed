package dev.fanout.users;

import java.util.concurrent.CompletableFuture;

/**
 * The users API: {@code GET users/{id}} relative to the client's base URL. Obtain it from
 * {@link dev.fanout.FanoutClient#users()}.
 */
public interface UserService {
  /**
   * Fetches user {@code id}, blocking until it arrives.
   *
   * @throws IllegalArgumentException if {@code id < 1}, before any request is made
   * @throws dev.fanout.errors.FanoutException if the call fails (for example
   *     {@link dev.fanout.errors.NotFoundException})
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
}
