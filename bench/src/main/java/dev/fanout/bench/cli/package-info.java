/**
 * The options several of the benchmark's commands take, each declared, checked and documented once as a
 * picocli mixin; a command that has the option mixes it in.
 */
package dev.fanout.bench.cli;
