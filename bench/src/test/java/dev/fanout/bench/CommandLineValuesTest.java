package dev.fanout.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.bench.harness.BenchReport.Spread;
import dev.fanout.bench.harness.RowSpec;
import dev.fanout.mock.Engine;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CommandLineValuesTest {
  @Test
  void parsesRows() {
    assertThat(RowSpec.parse("fanout-h2c@netty")).isEqualTo(new RowSpec(ClientKind.FANOUT_H2C, Engine.NETTY, false));
    RowSpec aot = RowSpec.parse("fanout-h2c+aot@mockwebserver");
    assertThat(aot.aot()).isTrue();
    assertThat(aot.engine()).isEqualTo(Engine.MOCKWEBSERVER);
    assertThat(aot.http2()).isTrue();
    assertThat(aot).hasToString("fanout-h2c+aot@mockwebserver");
    assertThat(RowSpec.parse("jdk@netty").protocol()).isEqualTo("http/1.1");
  }

  @Test
  void badRowsNameTheBadValue() {
    assertThatThrownBy(() -> RowSpec.parse("fanout")).hasMessage("row is not client@engine: 'fanout'");
    assertThatThrownBy(() -> RowSpec.parse("curl@netty")).hasMessageStartingWith("unknown client: 'curl'");
    assertThatThrownBy(() -> RowSpec.parse("jdk@jetty")).hasMessageStartingWith("unknown engine: 'jetty'");
    assertThatThrownBy(() -> RowSpec.parse("aiohttp+aot@netty")).hasMessage("an AOT cache needs a JVM client: aiohttp+aot");
  }

  @Test
  void spreadIsMedianMinAndMax() {
    assertThat(Spread.of(List.of(3.0, 1.0, 2.0))).isEqualTo(new Spread(2.0, 1.0, 3.0));
    assertThat(Spread.of(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(new Spread(2.5, 1.0, 4.0));
    assertThat(Spread.of(List.of())).isNull();
    assertThat(new Spread(1100, 1050, 1200).minus(1000)).isEqualTo(new Spread(100, 50, 200));
  }

  @Test
  void medianOfAFigureIsTheMiddleOrTheMeanOfTheMiddleTwo() {
    assertThat(Spread.median(List.of("c", "a", "b"), x -> x.charAt(0) - 'a')).isEqualTo(1.0);
    assertThat(Spread.median(List.of(4, 1, 3, 2), x -> x)).isEqualTo(2.5);
    assertThat(Spread.median(List.<Integer>of(), x -> x)).isNaN();
  }
}
