package dev.fanout.mock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A meter per model, bounded: a client naming endless models cannot grow the mock without end. */
final class PerModelTest {
  @Test
  void eachModelGetsItsOwnMeterOnceThenThoseBeyondTheCapShareOne() {
    AtomicInteger made = new AtomicInteger();
    PerModel<Integer> meters = new PerModel<>(made::incrementAndGet); // the shared one is made first: 1

    assertThat(meters.forModel("a")).isEqualTo(2).isEqualTo(meters.forModel("a"));
    assertThat(meters.forModel("b")).isEqualTo(3);
    for (int i = 2; i < PerModel.MAX_MODELS; i++) meters.forModel("m" + i);
    assertThat(made.get()).isEqualTo(PerModel.MAX_MODELS + 1);

    assertThat(meters.forModel("one-too-many")).isEqualTo(1);
    assertThat(meters.forModel("another")).isEqualTo(1);
    assertThat(meters.forModel("a")).as("models seen before keep theirs").isEqualTo(2);
    assertThat(made.get()).isEqualTo(PerModel.MAX_MODELS + 1);
  }
}
