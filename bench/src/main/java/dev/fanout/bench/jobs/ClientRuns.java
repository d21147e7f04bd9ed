package dev.fanout.bench.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.bench.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs one client of the jobs benchmark as its own process against a mock's URL: the command a user would type,
 * its output file, its log, its wall time (the client's own figure: {@code fanout-jobs}' report, the Python
 * scripts' summary).
 */
final class ClientRuns {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String API_KEY = "sk-bench-jobs";

  /** What one client's process left: exit status (or timed out), wall seconds, its results file and format. */
  record Outcome(int exit, boolean timedOut, double wallSeconds, Path results, ResultsCheck.Format format,
      String version) {}

  private final String launcher;
  private final String classpath;
  private final String python;
  private final Path out;
  private final Duration timeout;

  ClientRuns(String launcher, String classpath, String python, Path out, Duration timeout) {
    this.launcher = launcher;
    this.classpath = classpath;
    this.python = python;
    this.out = out;
    this.timeout = timeout;
  }

  /**
   * Why {@code client} cannot run here, or empty when it can: the Python rows need {@code python} to import
   * aiohttp (cookbook) or openai (openai-python), and the cookbook row needs the script at {@code cookbookScript}.
   */
  Optional<String> whyNot(JobsClient client, Path cookbookScript) {
    switch (client) {
      case COOKBOOK -> {
        if (pythonModuleVersion("aiohttp") == null) {
          return Optional.of(python + " cannot import aiohttp (Debian: apt-get install python3-aiohttp; or --python PYTHON)");
        }
        if (!Files.isRegularFile(cookbookScript)) {
          return Optional.of("no cookbook script at " + cookbookScript + "; download it: curl -o " + cookbookScript
              + " " + JobsCommand.COOKBOOK_SCRIPT_URL);
        }
        return Optional.empty();
      }
      case OPENAI_PYTHON -> {
        return pythonModuleVersion("openai") == null
            ? Optional.of(python + " cannot import openai (pip install openai, e.g. python3 -m venv "
                + "--system-site-packages VENV && VENV/bin/pip install openai, then --python VENV/bin/python)")
            : Optional.empty();
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  /** "Python X, M Y" when {@code python} can import {@code module}, else null. */
  String pythonModuleVersion(String module) {
    return Processes.outputIfOk(python, "-c", "import sys, " + module + "; print('Python', sys.version.split()[0] + ',', '"
        + module + "', " + module + ".__version__)");
  }

  /** {@code fanout-jobs run} with its defaults: input, output, base URL, key, nothing else. */
  Outcome fanoutJobs(String url, Path batchInput) throws IOException, InterruptedException {
    Path results = fresh("fanout-jobs-results.jsonl");
    Files.deleteIfExists(results.resolveSibling(results.getFileName() + ".batches.json"));
    Path report = out.resolve("fanout-jobs-report.json");
    Files.deleteIfExists(report);
    List<String> cmd = List.of(launcher, "-cp", classpath, "dev.fanout.jobs.cli.JobsMain", "run",
        "--input", batchInput.toString(), "--output", results.toString(), "--base-url", url, "--api-key", API_KEY,
        "--report-json", report.toString(), "--progress", "plain");
    Run run = run("fanout-jobs", cmd);
    double wall = Files.exists(report) ? JSON.readTree(report.toFile()).path("wall_seconds").asDouble() : run.seconds;
    return new Outcome(run.exit, run.timedOut, wall, results, ResultsCheck.Format.BATCH_OUTPUT, "fanout-jobs");
  }

  /** The cookbook script, told the published RPM and {@code tpm}, its other arguments at their defaults. */
  Outcome cookbook(String url, Path cookbookInput, Path script, long rpm, long tpm)
      throws IOException, InterruptedException {
    Path results = fresh("cookbook-results.jsonl");
    Path summary = fresh("cookbook-summary.json");
    List<String> cmd = List.of(python, resource("cookbook_jobs.py").toString(), "--script", script.toString(),
        "--summary_json", summary.toString(), "--requests_filepath", cookbookInput.toString(),
        "--save_filepath", results.toString(), "--request_url", url + "v1/chat/completions", "--api_key", API_KEY,
        "--max_requests_per_minute", String.valueOf(rpm), "--max_tokens_per_minute", String.valueOf(tpm));
    Run run = run("cookbook", cmd);
    return pythonOutcome(run, summary, results, ResultsCheck.Format.COOKBOOK, "aiohttp");
  }

  /** The official Python client: AsyncOpenAI with its defaults, asyncio.gather under a semaphore. */
  Outcome openaiPython(String url, Path batchInput, int concurrency) throws IOException, InterruptedException {
    Path results = fresh("openai-python-results.jsonl");
    Path summary = fresh("openai-python-summary.json");
    List<String> cmd = List.of(python, resource("openai_python_jobs.py").toString(), "--input", batchInput.toString(),
        "--output", results.toString(), "--base-url", url + "v1", "--api-key", API_KEY,
        "--concurrency", String.valueOf(concurrency), "--summary-json", summary.toString());
    Run run = run("openai-python", cmd);
    return pythonOutcome(run, summary, results, ResultsCheck.Format.OPENAI_PYTHON, "openai");
  }

  private Outcome pythonOutcome(Run run, Path summary, Path results, ResultsCheck.Format format, String module)
      throws IOException {
    double wall = run.seconds;
    String version = null;
    if (Files.exists(summary)) {
      JsonNode s = JSON.readTree(summary.toFile());
      wall = s.path("wall_seconds").asDouble();
      version = "Python " + s.path("python").asText() + ", " + module + " " + s.path(module).asText();
    }
    return new Outcome(run.exit, run.timedOut, wall, results, format, version);
  }

  private record Run(int exit, boolean timedOut, double seconds) {}

  private Run run(String name, List<String> cmd) throws IOException, InterruptedException {
    System.out.println("$ " + String.join(" ", cmd).replace(classpath, "<bench classpath>"));
    Path log = out.resolve(name + ".log");
    long start = System.nanoTime();
    Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!done) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Run(done ? p.exitValue() : -1, !done, seconds);
  }

  private Path fresh(String name) throws IOException {
    Path p = out.resolve(name);
    Files.deleteIfExists(p);
    return p;
  }

  /** Copies a script shipped in the bench jar into the output directory and returns its path. */
  private Path resource(String name) throws IOException {
    Path target = out.resolve(name);
    try (InputStream in = ClientRuns.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing bench resource " + name);
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }
}
