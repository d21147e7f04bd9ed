/**
 * Hedged requests (internal): {@link dev.fanout.internal.hedge.Hedger} runs a call's attempts, starting
 * backups on the client's clock after a fixed delay or the route's observed percentile, within a
 * client-wide budget, and cancels the losers. Configured by {@link dev.fanout.HedgePolicy}.
 */
package dev.fanout.internal.hedge;
