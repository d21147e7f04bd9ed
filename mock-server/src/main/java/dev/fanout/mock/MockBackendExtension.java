package dev.fanout.mock;

import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives a test class a started {@link MockBackend} with a given profile,
 * resets it before each test and closes it after all tests.
 *
 * <pre>{@code
 * @RegisterExtension
 * static MockBackendExtension backend = MockBackendExtension.builder()
 *     .latency(Latency.fixed(Duration.ofMillis(100)))
 *     .build();
 *
 * @Test void fansOut(MockBackend server) {   // or backend.url(), backend.stats()
 *   ...
 *   assertThat(backend.stats().maxInFlight()).isEqualTo(10);
 * }
 * }</pre>
 *
 * <p>Register it in a {@code static} field: the backend is shared by the class's tests. With
 * {@code @ExtendWith(MockBackendExtension.class)} it starts with {@link #DEFAULT_LATENCY}, and
 * tests take the backend as a {@link MockBackend} parameter.
 */
public final class MockBackendExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {
  /** The latency of a backend declared without a builder: short, to keep tests fast. */
  public static final Duration DEFAULT_LATENCY = Duration.ofMillis(50);

  private final MockBackend.Builder builder;
  private MockBackend backend;

  /** For {@code @ExtendWith}: a backend with a fixed {@link #DEFAULT_LATENCY} and no faults. */
  public MockBackendExtension() {
    this(MockBackend.builder().latency(Latency.fixed(DEFAULT_LATENCY)));
  }

  private MockBackendExtension(MockBackend.Builder builder) {
    this.builder = builder;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The running backend. */
  public MockBackend backend() {
    if (backend == null) throw new IllegalStateException("backend not started: register the extension in a static field");
    return backend;
  }

  public String url() {
    return backend().url();
  }

  public Stats stats() {
    return backend().stats();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (backend == null) backend = builder.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (backend != null) {
      backend.close();
      backend = null;
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (backend == null) backend = builder.start();
    backend.reset();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == MockBackend.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    try {
      return backend();
    } catch (IllegalStateException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
  }

  /** Builds a {@link MockBackendExtension}; the options are those of {@link MockBackend.Builder}. */
  public static final class Builder {
    private final MockBackend.Builder backend = MockBackend.builder().latency(Latency.fixed(DEFAULT_LATENCY));

    private Builder() {}

    /** Defaults to a fixed {@link #DEFAULT_LATENCY} (50 ms), not the 1 s of a standalone backend. */
    public Builder latency(Latency latency) {
      backend.latency(latency);
      return this;
    }

    /** Defaults to {@link Faults#none()}. */
    public Builder faults(Faults faults) {
      backend.faults(faults);
      return this;
    }

    /** Defaults to {@link MockBackend#DEFAULT_HOST}. */
    public Builder host(String host) {
      backend.host(host);
      return this;
    }

    /** Defaults to false (HTTP/1.1). */
    public Builder http2PriorKnowledge(boolean http2PriorKnowledge) {
      backend.http2PriorKnowledge(http2PriorKnowledge);
      return this;
    }

    /** Serve HTTPS with a generated certificate; see {@link MockBackend.Builder#tls(boolean)}. Defaults to false. */
    public Builder tls(boolean tls) {
      backend.tls(tls);
      return this;
    }

    /** The HTTP/2 stream limit; see {@link MockBackend.Builder#maxConcurrentStreams(long)}. Defaults to 0 (none). */
    public Builder maxConcurrentStreams(long maxConcurrentStreams) {
      backend.maxConcurrentStreams(maxConcurrentStreams);
      return this;
    }

    /** The server engine. Defaults to {@link MockBackend#DEFAULT_ENGINE} (MockWebServer). */
    public Builder engine(Engine engine) {
      backend.engine(engine);
      return this;
    }

    /** Defaults to {@link MockBackend#DEFAULT_RECORDED_REQUESTS}. */
    public Builder recordedRequests(int recordedRequests) {
      backend.recordedRequests(recordedRequests);
      return this;
    }

    public MockBackendExtension build() {
      return new MockBackendExtension(backend);
    }
  }
}
