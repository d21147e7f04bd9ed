/** What every Fanout module shares: the one duration grammar ({@link dev.fanout.common.Durations}). */
module dev.fanout.common {
  exports dev.fanout.common;
}
