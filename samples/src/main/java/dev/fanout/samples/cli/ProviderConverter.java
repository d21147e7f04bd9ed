package dev.fanout.samples.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads {@code --provider}: {@code openai} or {@code anthropic}, in any case. */
public final class ProviderConverter implements ITypeConverter<Provider> {
  @Override
  public Provider convert(String value) {
    try {
      return Provider.valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not a provider (expected openai or anthropic)");
    }
  }
}
