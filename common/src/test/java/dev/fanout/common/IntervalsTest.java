package dev.fanout.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class IntervalsTest {

  @Test
  void countsTheMostOpenAtOneInstant() {
    Intervals intervals = new Intervals();
    intervals.add(0, 10);
    intervals.add(2, 5);
    intervals.add(3, 4);
    intervals.add(6, 12);
    assertThat(intervals.maxOverlap()).isEqualTo(3);
  }

  @Test
  void anIntervalEndingAsAnotherStartsDoesNotOverlapIt() {
    Intervals intervals = new Intervals();
    intervals.add(0, 5);
    intervals.add(5, 10);
    intervals.add(10, 15);
    assertThat(intervals.maxOverlap()).isEqualTo(1);
  }

  @Test
  void anEmptyOrBackwardIntervalIsNeverOpen() {
    Intervals intervals = new Intervals();
    intervals.add(3, 3);
    intervals.add(7, 1);
    assertThat(intervals.maxOverlap()).isZero();
    assertThat(new Intervals().maxOverlap()).isZero();
  }

  @Test
  void growsPastItsFirstCapacity() {
    Intervals intervals = new Intervals();
    for (int i = 0; i < 100; i++) {
      intervals.add(i, 1000);
    }
    assertThat(intervals.maxOverlap()).isEqualTo(100);
  }
}
