/** Test support for code built on Fanout: a {@link dev.fanout.testing.FakeClock} that time moves on only when told. */
package dev.fanout.testing;
