package dev.fanout.bench.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --url} option of a client process the benchmark starts against a backend of its own: that
 * backend's base URL. A picocli mixin.
 */
public final class UrlOption {
  @Option(names = "--url", required = true, description = "The backend's base URL.")
  String url;

  /** The backend's base URL, as given. */
  public String url() {
    return url;
  }
}
