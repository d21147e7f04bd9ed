/**
 * What every Fanout module shares: the one duration grammar ({@link dev.fanout.common.Durations}),
 * quota arithmetic ({@link dev.fanout.common.Quotas}), enum constants by their command-line label
 * ({@link dev.fanout.common.Labels}) and the peak of overlapping intervals ({@link dev.fanout.common.Intervals});
 * for the command lines alone, their failure handling ({@link dev.fanout.common.cli.CommandLines}), the range
 * checks of their numeric flags ({@link dev.fanout.common.cli.Ranges}), the converters of their duration and
 * {@code --tail} flags ({@link dev.fanout.common.cli.DurationConverter}, {@link dev.fanout.common.cli.Tail}) and
 * of any value read by a parse function ({@link dev.fanout.common.cli.ParsingConverter}), which need picocli.
 */
module dev.fanout.common {
  requires static info.picocli;

  exports dev.fanout.common;
  exports dev.fanout.common.cli;
}
