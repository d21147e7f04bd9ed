/** What every Fanout module shares: the one duration grammar ({@link dev.fanout.common.Durations}) and quota arithmetic ({@link dev.fanout.common.Quotas}). */
module dev.fanout.common {
  exports dev.fanout.common;
}
