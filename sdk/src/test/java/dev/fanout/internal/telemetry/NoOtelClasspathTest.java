package dev.fanout.internal.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SDK runs without {@code opentelemetry-api} on the class path (it is an optional dependency): a fan-out
 * and every telemetry hook run in a class loader that defines the SDK's classes itself and refuses every
 * {@code io.opentelemetry} class, recording each request; none is made. The positive control proves the
 * filter bites: asking for the OpenTelemetry implementation in that loader fails for want of the API.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NoOtelClasspathTest {

  @Test
  void aFanoutAndEveryHookRunWithoutLoadingOpenTelemetry() throws Exception {
    WithoutOpenTelemetry loader = new WithoutOpenTelemetry(getClass().getClassLoader());
    Callable<?> scenario = (Callable<?>) loader.loadClass(NoOtelScenario.class.getName())
        .getDeclaredConstructor().newInstance();
    assertThat(scenario.getClass().getClassLoader()).isSameAs(loader);

    Object result = scenario.call();

    assertThat(result.toString()).matches("[^,]+,[^,]+,[^,]+ via Telemetry.noop\\(\\)");
    assertThat(loader.refused).isEmpty();
    assertThat(loader.defined).contains(
        "dev.fanout.FanoutClient", "dev.fanout.internal.LogicalCall", "dev.fanout.internal.telemetry.Telemetry");
    assertThat(loader.defined).noneMatch(n -> n.startsWith("dev.fanout.internal.telemetry.otel."));
  }

  @Test
  void positiveControlTheLoaderRefusesOpenTelemetry() throws Exception {
    WithoutOpenTelemetry loader = new WithoutOpenTelemetry(getClass().getClassLoader());
    Class<?> clock = loader.loadClass("dev.fanout.FanoutClock");
    Object fake = loader.loadClass("dev.fanout.testing.FakeClock").getMethod("create").invoke(null);

    assertThatThrownBy(() -> {
      try {
        loader.loadClass("dev.fanout.internal.telemetry.otel.OtelTelemetry")
            .getMethod("create", Object.class, clock).invoke(null, new Object(), fake);
      } catch (java.lang.reflect.InvocationTargetException e) {
        throw e.getCause();
      }
    }).isInstanceOf(NoClassDefFoundError.class).hasMessageContaining("io/opentelemetry");
    assertThat(loader.refused).anyMatch(n -> n.startsWith("io.opentelemetry."));
  }

  /** Child-first for {@code dev.fanout.*}, no {@code io.opentelemetry.*}, everything else from the parent. */
  static final class WithoutOpenTelemetry extends ClassLoader {
    final List<String> refused = new CopyOnWriteArrayList<>();
    final List<String> defined = new CopyOnWriteArrayList<>();
    private final ClassLoader source;

    WithoutOpenTelemetry(ClassLoader source) {
      super(ClassLoader.getPlatformClassLoader());
      this.source = source;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (name.startsWith("io.opentelemetry.")) {
          refused.add(name);
          throw new ClassNotFoundException(name + " (hidden: opentelemetry-api is not on this class path)");
        }
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          c = name.startsWith("dev.fanout.") ? define(name) : source.loadClass(name);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }

    @Override
    public java.net.URL getResource(String name) {
      return name.startsWith("io/opentelemetry/") ? null : source.getResource(name);
    }

    @Override
    public java.util.Enumeration<java.net.URL> getResources(String name) throws IOException {
      return name.startsWith("io/opentelemetry/")
          ? java.util.Collections.emptyEnumeration() : source.getResources(name);
    }

    private Class<?> define(String name) throws ClassNotFoundException {
      String path = name.replace('.', '/') + ".class";
      try (InputStream in = source.getResourceAsStream(path)) {
        if (in == null) {
          throw new ClassNotFoundException(name);
        }
        byte[] bytes = in.readAllBytes();
        defined.add(name);
        return defineClass(name, bytes, 0, bytes.length);
      } catch (IOException e) {
        throw new ClassNotFoundException(name, e);
      }
    }
  }
}
