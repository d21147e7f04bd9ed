package dev.fanout.common.cli;

import java.util.Objects;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A picocli converter that reads a flag's value with a parse function, such as {@code Engine::of}, whose
 * {@link IllegalArgumentException} names the bad value: that message becomes the usage error, as in
 * {@code Invalid value for option '--engine': unknown engine: 'jetty' (expected one of mockwebserver, netty)}.
 * Needs picocli on the classpath.
 *
 * <p>picocli instantiates converters by class, so each value type has a small subclass:
 * {@code static final class EngineConverter extends ParsingConverter<Engine> { EngineConverter() { super(Engine::of); } }}.
 */
public abstract class ParsingConverter<T> implements ITypeConverter<T> {
  private final Function<String, ? extends T> parse;

  /** Reads values with {@code parse}. */
  protected ParsingConverter(Function<String, ? extends T> parse) {
    this.parse = Objects.requireNonNull(parse, "parse == null");
  }

  @Override
  public final T convert(String value) {
    try {
      return parse.apply(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
