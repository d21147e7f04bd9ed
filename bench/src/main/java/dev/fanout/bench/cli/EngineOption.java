package dev.fanout.bench.cli;

import dev.fanout.common.cli.ParsingConverter;
import dev.fanout.mock.Engine;
import picocli.CommandLine.Option;

/** The {@code --engine} option of a command that runs a backend: the mock's engine. A picocli mixin. */
public final class EngineOption {
  @Option(names = "--engine", converter = EngineConverter.class, defaultValue = "netty",
      description = "The backend's engine: netty (event loops, the scale engine) or mockwebserver (a thread per "
          + "connection, the mock-server's default). Defaults to ${DEFAULT-VALUE}.")
  Engine engine;

  /** The backend's engine. */
  public Engine engine() {
    return engine;
  }

  /** Reads an engine's id ({@code netty}, {@code mockwebserver}); a bad one is a usage error naming it. */
  static final class EngineConverter extends ParsingConverter<Engine> {
    EngineConverter() {
      super(Engine::of);
    }
  }
}
