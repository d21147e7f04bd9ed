/**
 * The rate-limit governor (internal): {@link dev.fanout.internal.governor.RateLimitHeaders} reads what a
 * server publishes, {@link dev.fanout.internal.governor.Governor} keeps one admission
 * {@code Bucket} per rate-limited bucket of a host ({@code Pacer}s for the published limits, an
 * {@code AimdLimit} on concurrency, the 429 pause), and hands out
 * {@link dev.fanout.internal.governor.Permit}s that the call path reports back exactly once. Configured by
 * {@link dev.fanout.GovernorPolicy}.
 */
package dev.fanout.internal.governor;
