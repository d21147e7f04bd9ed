package dev.fanout.samples.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A list of user ids written as ranges and single ids: {@code 1-1000,2000,3000-3010}. Ids keep the order
 * they are written in; each must be at least 1 and appear once.
 */
public record IdRanges(String text, List<Long> ids) {
  /** The most ids one list may hold, so a typo like {@code 1-10000000000} fails fast instead of eating memory. */
  public static final int MAX_IDS = 1_000_000;

  public IdRanges {
    ids = List.copyOf(ids);
  }

  /** Parses {@code text}; throws {@link TypeConversionException} naming the bad part. */
  public static IdRanges parse(String text) {
    if (text == null || text.isBlank()) {
      throw new TypeConversionException("no ids given: use ranges and ids like 1-1000,2000,3000-3010");
    }
    Set<Long> ids = new LinkedHashSet<>();
    for (String rawPart : text.split(",", -1)) {
      String part = rawPart.trim();
      if (part.isEmpty()) {
        throw new TypeConversionException("empty entry in '" + text + "': use ranges and ids like 1-1000,2000");
      }
      int dash = part.indexOf('-', 1);
      long from = number(part, dash < 0 ? part : part.substring(0, dash), text);
      long to = dash < 0 ? from : number(part, part.substring(dash + 1), text);
      if (to < from) {
        throw new TypeConversionException("range '" + part + "' runs backwards: write " + to + "-" + from);
      }
      if (to - from + 1 > MAX_IDS - ids.size()) {
        throw new TypeConversionException("'" + text + "' has more than " + MAX_IDS + " ids");
      }
      for (long id = from; id <= to; id++) {
        if (!ids.add(id)) {
          throw new TypeConversionException("id " + id + " appears twice in '" + text + "'");
        }
      }
    }
    return new IdRanges(text, new ArrayList<>(ids));
  }

  private static long number(String part, String digits, String text) {
    String trimmed = digits.trim();
    long value;
    try {
      value = Long.parseLong(trimmed);
    } catch (NumberFormatException e) {
      throw new TypeConversionException(
          "'" + part + "' in '" + text + "' is not an id or a range like 1-1000");
    }
    if (value < 1) {
      throw new TypeConversionException("id " + value + " in '" + text + "' is below 1");
    }
    return value;
  }

  /** The picocli converter for {@code --ids}. */
  public static final class Converter implements ITypeConverter<IdRanges> {
    @Override
    public IdRanges convert(String value) {
      return parse(value);
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
