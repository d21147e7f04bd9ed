/**
 * The unchecked exception tree every Fanout failure belongs to, rooted at
 * {@link dev.fanout.errors.FanoutException}.
 */
package dev.fanout.errors;
