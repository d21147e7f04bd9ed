package dev.fanout.internal.governor;

import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Runs a batch of calls through a {@link Governor} against a {@link SimulatedServer} on a {@link FakeClock}:
 * each call acquires a permit, the server decides on arrival, answers after {@code latency} (a 429 after
 * {@code rejectLatency}), and a 429'd call acquires again until it succeeds.
 */
final class Driver {
  final FakeClock clock;
  final Governor governor;
  final SimulatedServer server;
  final GovernorKey key;
  final Duration latency;
  final Duration rejectLatency;
  final List<Long> admittedAt = new ArrayList<>();
  long tooMany;
  long responses;
  int done;
  long lastDone;

  Driver(FakeClock clock, Governor governor, SimulatedServer server, GovernorKey key, Duration latency) {
    this.clock = clock;
    this.governor = governor;
    this.server = server;
    this.key = key;
    this.latency = latency;
    this.rejectLatency = Duration.ofMillis(10);
  }

  void submit(int calls, long tokensEach) {
    for (int i = 0; i < calls; i++) {
      call(tokensEach);
    }
  }

  private void call(long tokens) {
    governor.acquire(key, tokens, Governor.NO_DEADLINE).thenAccept(permit -> {
      admittedAt.add(clock.nanoTime());
      SimulatedServer.Answer a = server.arrive(tokens);
      server.inFlight++;
      server.maxInFlight = Math.max(server.maxInFlight, server.inFlight);
      clock.schedule(a.status() == 429 ? rejectLatency : latency, () -> {
        server.inFlight--;
        responses++;
        permit.onResponse(a.status(), a.headers(), OptionalLong.empty());
        if (a.status() == 429) {
          tooMany++;
          call(tokens);
        } else {
          done++;
          lastDone = clock.nanoTime();
        }
      });
    });
  }

  /** Advances the clock in {@code step}s until {@code calls} are done or {@code limit} has passed. */
  void runUntilDone(int calls, Duration step, Duration limit) {
    while (done < calls && clock.elapsed().compareTo(limit) < 0) {
      clock.advance(step);
    }
  }

  double seconds(long nanos) {
    return nanos / 1e9;
  }
}
