package dev.fanout.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ChainsTest {

  @Test
  void composesValues() throws Exception {
    CompletableFuture<Integer> first = new CompletableFuture<>();
    CompletableFuture<String> chain = Chains.thenApply(
        Chains.thenCompose(first, n -> CompletableFuture.completedFuture(n * 2)), n -> "n=" + n);
    first.complete(21);
    assertThat(chain.get(1, TimeUnit.SECONDS)).isEqualTo("n=42");
  }

  @Test
  void cancellingBeforeTheSecondStageCancelsTheFirstAndNeverStartsTheSecond() {
    CompletableFuture<Integer> first = new CompletableFuture<>();
    boolean[] started = {false};
    CompletableFuture<String> chain = Chains.thenCompose(first, n -> {
      started[0] = true;
      return new CompletableFuture<>();
    });
    chain.cancel(true);
    assertThat(first.isCancelled()).isTrue();
    assertThat(started[0]).isFalse();
  }

  @Test
  void cancellingDuringTheSecondStageCancelsIt() {
    CompletableFuture<Integer> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    CompletableFuture<String> chain = Chains.thenCompose(first, n -> second);
    first.complete(1);
    chain.cancel(true);
    assertThat(second.isCancelled()).isTrue();
  }

  @Test
  void failuresAreUnwrapped() {
    CompletableFuture<Integer> first = new CompletableFuture<>();
    CompletableFuture<String> chain = Chains.thenCompose(first.thenApply(n -> n), n -> new CompletableFuture<>());
    first.completeExceptionally(new IllegalStateException("boom"));
    assertThatThrownBy(() -> chain.get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("boom");
  }
}
