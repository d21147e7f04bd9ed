package dev.fanout.bench.harness;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Renders {@code bench.md} and {@code bench-wall.svg} again from a {@code bench.json}, without measuring. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Writes bench.md and bench-wall.svg again from a bench.json, next to it.")
public final class ReportCommand implements Callable<Integer> {
  @Option(names = "--from", paramLabel = "JSON", required = true, description = "The bench.json to render.")
  Path from;

  @Override
  public Integer call() throws Exception {
    BenchReport report = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        .readValue(from.toFile(), BenchReport.class);
    Path dir = from.toAbsolutePath().getParent();
    Files.writeString(dir.resolve("bench.md"), MarkdownReport.render(report), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("bench-wall.svg"), SvgPlot.render(report), StandardCharsets.UTF_8);
    System.out.println("Wrote " + dir.resolve("bench.md") + " and " + dir.resolve("bench-wall.svg"));
    return 0;
  }
}
