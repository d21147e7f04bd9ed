package dev.fanout.internal.hedge;

/**
 * A snapshot of a client's hedging.
 *
 * @param calls calls run through the hedger
 * @param hedgesSent backups started
 * @param hedgesWon calls whose first success was a backup
 * @param budgetDenied backups not sent because the budget was empty
 * @param losersCancelled attempts cancelled because another one won
 */
record HedgeStats(long calls, long hedgesSent, long hedgesWon, long budgetDenied, long losersCancelled) {}
