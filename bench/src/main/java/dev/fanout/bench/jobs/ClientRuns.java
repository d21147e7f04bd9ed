package dev.fanout.bench.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.bench.Processes;
import dev.fanout.bench.Scripts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private static final String API_KEY = "sk-bench-jobs";
  /** The script that runs the cookbook's processor on one file and writes its summary. */
  private static final String COOKBOOK_JOBS = "/dev/fanout/bench/jobs/cookbook_jobs.py";
  /** The script that runs a file through the official Python client and writes its summary. */
  private static final String OPENAI_PYTHON_JOBS = "/dev/fanout/bench/jobs/openai_python_jobs.py";

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
    Run run = run("fanout-jobs", fanoutJobsRun(launcher, List.of(), classpath, batchInput, results, url, report));
    double wall = Files.exists(report) ? JSON.readTree(report.toFile()).path("wall_seconds").asDouble() : run.seconds;
    return new Outcome(run.exit, run.timedOut, wall, results, ResultsCheck.Format.BATCH_OUTPUT, "fanout-jobs");
  }

  /** The cookbook script, told the published RPM and {@code tpm}, its other arguments at their defaults. */
  Outcome cookbook(String url, Path cookbookInput, Path script, long rpm, long tpm)
      throws IOException, InterruptedException {
    Path results = fresh("cookbook-results.jsonl");
    Path summary = fresh("cookbook-summary.json");
    List<String> cmd = List.of(python, Scripts.copy(COOKBOOK_JOBS, out).toString(), "--script", script.toString(),
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
    List<String> cmd = List.of(python, Scripts.copy(OPENAI_PYTHON_JOBS, out).toString(), "--input", batchInput.toString(),
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

  /**
   * The command line of {@code fanout-jobs run} with its defaults, in a JVM of {@code launcher} with
   * {@code jvmArgs}: input, output, base URL and key, a JSON report at {@code report}, plain progress.
   */
  static List<String> fanoutJobsRun(String launcher, List<String> jvmArgs, String classpath, Path input, Path output,
      String url, Path report) {
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher);
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", classpath, "dev.fanout.jobs.cli.JobsMain", "run", "--input", input.toString(),
        "--output", output.toString(), "--base-url", url, "--api-key", API_KEY, "--report-json", report.toString(),
        "--progress", "plain"));
    return cmd;
  }

  /** Prints {@code cmd} as a shell line, {@code $ ...}, with the long {@code classpath} shown as a placeholder. */
  static void echo(List<String> cmd, String classpath) {
    System.out.println("$ " + String.join(" ", cmd).replace(classpath, "<bench classpath>"));
  }

  private record Run(int exit, boolean timedOut, double seconds) {}

  private Run run(String name, List<String> cmd) throws IOException, InterruptedException {
    echo(cmd, classpath);
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
}
