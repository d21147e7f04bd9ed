package dev.fanout.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.jobs.internal.IdSet;
import dev.fanout.jobs.internal.LineParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A file of requests handed to the provider's Batch API (OpenAI's {@code /v1/batches}): half the price of
 * real-time calls, results within 24 hours. {@link #submit(OpenAiBatches)} uploads the input (split into
 * batches of at most {@link #MAX_REQUESTS_PER_BATCH} requests and {@link #MAX_BYTES_PER_BATCH} bytes, and
 * by endpoint) and creates one batch per part; {@link #status(OpenAiBatches)} reads them;
 * {@link #fetch(OpenAiBatches)} downloads the output and error files of the batches that have ended and
 * appends their lines to the output, in the same format and with the same rule as {@link Job}: each
 * {@code custom_id} once.
 *
 * <h2>Resumable.</h2>
 * What was submitted is kept in a state file beside the output ({@code results.jsonl.batches.json}),
 * rewritten whole (write then rename) after each step. Submitting again submits only the parts without a
 * batch; fetching again appends only what the output lacks. Requests whose {@code custom_id} is already in
 * the output when the job is planned are not submitted.
 */
public final class BatchJob {
  /** OpenAI's most requests in one batch. */
  public static final int MAX_REQUESTS_PER_BATCH = 50_000;
  /** OpenAI's largest batch input file: 200 MB. */
  public static final long MAX_BYTES_PER_BATCH = 200L * 1024 * 1024;
  /** The statuses after which a batch changes no more. */
  public static final Set<String> FINAL_STATUSES = Set.of("completed", "failed", "expired", "cancelled");
  /** Time between polls in {@link #await(OpenAiBatches, Duration, Consumer)}: 30 s. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(30);

  private final JobInput input;
  private final Path output;
  private final Path state;
  private final int maxRequestsPerBatch;
  private final long maxBytesPerBatch;

  private BatchJob(JobInput input, Path output, int maxRequestsPerBatch, long maxBytesPerBatch) {
    this.input = input;
    this.output = output;
    this.state = output.resolveSibling(output.getFileName() + ".batches.json");
    this.maxRequestsPerBatch = maxRequestsPerBatch;
    this.maxBytesPerBatch = maxBytesPerBatch;
  }

  /** A batch job of {@code input} (a file: it is read twice) writing to {@code output}. */
  public static BatchJob of(JobInput input, Path output) {
    return of(input, output, MAX_REQUESTS_PER_BATCH, MAX_BYTES_PER_BATCH);
  }

  /** As {@link #of(JobInput, Path)}, with smaller parts (for a provider with lower limits). */
  public static BatchJob of(JobInput input, Path output, int maxRequestsPerBatch, long maxBytesPerBatch) {
    Objects.requireNonNull(input, "input == null");
    Objects.requireNonNull(output, "output == null");
    if (!input.checkable()) {
      throw new IllegalArgumentException("a batch job needs a file input (read once to plan, once to upload): "
          + input.name());
    }
    if (maxRequestsPerBatch < 1 || maxRequestsPerBatch > MAX_REQUESTS_PER_BATCH) {
      throw new IllegalArgumentException("maxRequestsPerBatch not in [1, 50000]: " + maxRequestsPerBatch);
    }
    if (maxBytesPerBatch < 1 || maxBytesPerBatch > MAX_BYTES_PER_BATCH) {
      throw new IllegalArgumentException("maxBytesPerBatch not in [1, 200 MB]: " + maxBytesPerBatch);
    }
    return new BatchJob(input, output, maxRequestsPerBatch, maxBytesPerBatch);
  }

  /**
   * The batch job that wrote {@code output}, from its state file, for {@link #status(OpenAiBatches)},
   * {@link #fetch(OpenAiBatches)} and {@link #await(OpenAiBatches, Duration, Consumer)} (not for
   * {@link #submit(OpenAiBatches)}, which needs the input).
   */
  public static BatchJob resume(Path output) {
    Objects.requireNonNull(output, "output == null");
    return new BatchJob(null, output, MAX_REQUESTS_PER_BATCH, MAX_BYTES_PER_BATCH);
  }

  /** The state file: what was submitted, beside the output. */
  public Path stateFile() {
    return state;
  }

  /**
   * One batch of the job, as the state file records it.
   *
   * @param firstLine the first input line in it
   * @param lastLine the last input line in it
   * @param requests its requests
   * @param endpoint its endpoint ({@code /v1/chat/completions})
   * @param inputFileId its uploaded input file, or {@code ""} before the upload
   * @param batchId its batch, or {@code ""} before it was created
   * @param status the batch's status when last read ({@code ""} before it was created)
   * @param fetched whether its results were appended to the output
   */
  public record Part(long firstLine, long lastLine, long requests, String endpoint, String inputFileId,
      String batchId, String status, boolean fetched) {
    Part with(String inputFileId, String batchId, String status, boolean fetched) {
      return new Part(firstLine, lastLine, requests, endpoint, inputFileId, batchId, status, fetched);
    }
  }

  /**
   * Plans the parts (unless the state file has them), uploads and creates a batch for each part that has
   * none, and returns the parts. Checks the whole input first: a bad line, or a method other than POST,
   * fails with {@link InvalidInputException} before anything is uploaded.
   */
  public List<Part> submit(OpenAiBatches api) {
    if (input == null) {
      throw new IllegalStateException("submit needs the input: use BatchJob.of(input, output)");
    }
    List<Part> parts = Files.exists(state) ? readState() : plan();
    if (!Files.exists(state)) {
      writeState(parts);
    }
    for (int i = 0; i < parts.size(); i++) {
      Part p = parts.get(i);
      if (!p.batchId().isEmpty()) {
        continue;
      }
      if (p.inputFileId().isEmpty()) {
        Path upload = writePart(p);
        try {
          String fileId = api.uploadBatchFile(upload, "batch-" + p.firstLine() + "-" + p.lastLine() + ".jsonl")
              .get("id").asText();
          p = p.with(fileId, "", "", false);
          parts.set(i, p);
          writeState(parts);
        } finally {
          deleteQuietly(upload);
        }
      }
      JsonNode batch = api.createBatch(p.inputFileId(), p.endpoint(), null);
      p = p.with(p.inputFileId(), batch.get("id").asText(), batch.path("status").asText(), false);
      parts.set(i, p);
      writeState(parts);
    }
    return parts;
  }

  /** Reads each submitted batch's status, records it, and returns the parts with their batches. */
  public List<Status> status(OpenAiBatches api) {
    List<Part> parts = readState();
    List<Status> out = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      Part p = parts.get(i);
      if (p.batchId().isEmpty()) {
        out.add(new Status(p, LineParser.MAPPER.createObjectNode()));
        continue;
      }
      JsonNode batch = api.batch(p.batchId());
      p = p.with(p.inputFileId(), p.batchId(), batch.path("status").asText(), p.fetched());
      parts.set(i, p);
      out.add(new Status(p, batch));
    }
    writeState(parts);
    return out;
  }

  /**
   * A part and its Batch object as last read.
   *
   * @param part the part
   * @param batch the Batch object (empty before the batch was created)
   */
  public record Status(Part part, JsonNode batch) {
    /** Requests the batch completed (2xx), per its {@code request_counts}. */
    public long completed() {
      return batch.path("request_counts").path("completed").asLong();
    }

    /** Requests the batch failed, per its {@code request_counts}. */
    public long failed() {
      return batch.path("request_counts").path("failed").asLong();
    }
  }

  /**
   * What {@link #fetch(OpenAiBatches)} did.
   *
   * @param fetchedBatches batches whose results were appended in this call
   * @param pendingBatches batches not ended yet (fetch again later)
   * @param appended result lines appended
   * @param ok of those, 2xx
   * @param duplicates result lines skipped because the output had their {@code custom_id}
   * @param missing requests of ended batches with no result line (an expired, cancelled or failed batch)
   */
  public record Fetched(int fetchedBatches, int pendingBatches, long appended, long ok, long duplicates,
      long missing) {}

  /**
   * Appends the results of every ended batch not fetched yet to the output (output file first, then error
   * file; each {@code custom_id} once), and marks it fetched.
   *
   * @throws OpenAiBatches.BatchApiException if a call fails, or a line of a fetched file is not a result
   *     (naming the file and the line; the lines before it are appended and the batch stays unfetched)
   */
  public Fetched fetch(OpenAiBatches api) {
    List<Status> statuses = status(api);
    List<Part> parts = readState();
    int fetched = 0;
    int pending = 0;
    long[] counts = new long[3]; // appended, ok, duplicates
    long missing = 0;
    IdSet appended = new IdSet();
    try (ResultFile out = ResultFile.open(output)) {
      for (int i = 0; i < parts.size(); i++) {
        Part p = parts.get(i);
        JsonNode batch = statuses.get(i).batch();
        if (p.fetched()) {
          continue;
        }
        if (p.batchId().isEmpty() || !FINAL_STATUSES.contains(p.status())) {
          pending++;
          continue;
        }
        long before = counts[0] + counts[2];
        for (String field : new String[] {"output_file_id", "error_file_id"}) {
          JsonNode id = batch.get(field);
          if (id != null && id.isTextual() && !id.asText().isEmpty()) {
            String file = (field.equals("output_file_id") ? "output file " : "error file ") + id.asText();
            api.readNumberedLines(id.asText(), (number, line) -> append(out, appended, file, number, line, counts));
          }
        }
        missing += Math.max(0, p.requests() - (counts[0] + counts[2] - before));
        parts.set(i, p.with(p.inputFileId(), p.batchId(), p.status(), true));
        writeState(parts);
        fetched++;
      }
    }
    return new Fetched(fetched, pending, counts[0], counts[1], counts[2], missing);
  }

  /** Appends one line of {@code file} (its number {@code lineNumber}, from 1) unless its id is already out. */
  private static void append(ResultFile out, IdSet appended, String file, long lineNumber, String line,
      long[] counts) {
    if (line.isBlank()) {
      return;
    }
    JobResult r;
    try {
      r = JobResult.parse(line);
    } catch (IllegalArgumentException e) {
      throw new OpenAiBatches.BatchApiException(file + ", line " + lineNumber + ": " + e.getMessage(), e);
    }
    if (out.contains(r.customId()) || !appended.add(r.customId())) {
      counts[2]++;
      return;
    }
    out.write(r);
    counts[0]++;
    if (r.ok()) {
      counts[1]++;
    }
  }

  /**
   * Polls until every batch has ended, telling {@code onPoll} each time, then {@linkplain #fetch fetches}.
   * Between polls it waits {@code pollInterval} on {@code api}'s {@linkplain OpenAiBatches.Builder#clock clock}.
   *
   * @param pollInterval time between polls ({@link #DEFAULT_POLL_INTERVAL} is what the command line uses)
   * @throws InterruptedException if interrupted while waiting (the state stays resumable)
   */
  public Fetched await(OpenAiBatches api, Duration pollInterval, Consumer<List<Status>> onPoll)
      throws InterruptedException {
    Objects.requireNonNull(api, "api == null");
    Objects.requireNonNull(pollInterval, "pollInterval == null");
    Objects.requireNonNull(onPoll, "onPoll == null");
    if (pollInterval.isNegative()) {
      throw new IllegalArgumentException("pollInterval < 0: " + pollInterval);
    }
    while (true) {
      List<Status> statuses = status(api);
      onPoll.accept(statuses);
      boolean done = statuses.stream().allMatch(s -> !s.part().batchId().isEmpty()
          && FINAL_STATUSES.contains(s.part().status()));
      if (done) {
        return fetch(api);
      }
      api.sleep(pollInterval);
    }
  }

  // ---- planning and the state file

  private List<Part> plan() {
    input.check();
    List<Part> parts = new ArrayList<>();
    IdSet done = doneIds();
    try (JobInput.Requests requests = input.open()) {
      long first = -1;
      long last = -1;
      long count = 0;
      long bytes = 0;
      String endpoint = null;
      while (requests.hasNext()) {
        JobRequest r = requests.next();
        if (!r.method().equals("POST")) {
          throw new InvalidInputException(input.name(), r.line(), "the Batch API takes POST requests only, not "
              + r.method());
        }
        if (done.contains(r.customId())) {
          continue;
        }
        long size = lineOf(r).length + 1L;
        if (count > 0 && (!r.url().equals(endpoint) || count == maxRequestsPerBatch
            || bytes + size > maxBytesPerBatch)) {
          parts.add(new Part(first, last, count, endpoint, "", "", "", false));
          count = 0;
          bytes = 0;
        }
        if (count == 0) {
          first = r.line();
          endpoint = r.url();
        }
        last = r.line();
        count++;
        bytes += size;
      }
      if (count > 0) {
        parts.add(new Part(first, last, count, endpoint, "", "", "", false));
      }
    }
    return parts;
  }

  private IdSet doneIds() {
    IdSet ids = new IdSet();
    if (!Files.exists(output)) {
      return ids;
    }
    try (var lines = Files.lines(output, StandardCharsets.UTF_8)) {
      lines.filter(l -> !l.isBlank()).forEach(l -> {
        try {
          ids.add(JobResult.parse(l).customId());
        } catch (IllegalArgumentException tornLastLine) {
          // ResultFile.open cuts it off before anything is appended
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + output + ": " + e.getMessage(), e);
    }
    return ids;
  }

  private Path writePart(Part p) {
    IdSet done = doneIds();
    try {
      Path tmp = Files.createTempFile(output.toAbsolutePath().getParent(), "batch-part-", ".jsonl");
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
          JobInput.Requests requests = input.open()) {
        while (requests.hasNext()) {
          JobRequest r = requests.next();
          if (r.line() < p.firstLine() || done.contains(r.customId())) {
            continue;
          }
          if (r.line() > p.lastLine()) {
            break;
          }
          w.write(new String(lineOf(r), StandardCharsets.UTF_8));
          w.write('\n');
        }
      }
      return tmp;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a batch part beside " + output + ": " + e.getMessage(), e);
    }
  }

  private static byte[] lineOf(JobRequest r) {
    ObjectNode line = LineParser.MAPPER.createObjectNode();
    line.put("custom_id", r.customId());
    line.put("method", r.method());
    line.put("url", r.url());
    line.set("body", r.body());
    return line.toString().getBytes(StandardCharsets.UTF_8);
  }

  private List<Part> readState() {
    if (!Files.exists(state)) {
      throw new IllegalStateException("nothing submitted yet: no " + state);
    }
    try {
      JsonNode root = LineParser.MAPPER.readTree(state.toFile());
      List<Part> parts = new ArrayList<>();
      for (JsonNode p : root.path("batches")) {
        parts.add(new Part(p.path("first_line").asLong(), p.path("last_line").asLong(), p.path("requests").asLong(),
            p.path("endpoint").asText(), p.path("input_file_id").asText(), p.path("batch_id").asText(),
            p.path("status").asText(), p.path("fetched").asBoolean()));
      }
      return parts;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + state + ": " + e.getMessage(), e);
    }
  }

  private void writeState(List<Part> parts) {
    ObjectNode root = LineParser.MAPPER.createObjectNode();
    root.put("input", input == null ? "" : input.name());
    root.put("output", output.toString());
    ArrayNode batches = root.putArray("batches");
    for (Part p : parts) {
      ObjectNode o = batches.addObject();
      o.put("first_line", p.firstLine());
      o.put("last_line", p.lastLine());
      o.put("requests", p.requests());
      o.put("endpoint", p.endpoint());
      o.put("input_file_id", p.inputFileId());
      o.put("batch_id", p.batchId());
      o.put("status", p.status());
      o.put("fetched", p.fetched());
    }
    try {
      Path tmp = state.resolveSibling(state.getFileName() + ".tmp");
      Files.writeString(tmp, LineParser.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
      Files.move(tmp, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + state + ": " + e.getMessage(), e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a temporary file; the next submit writes a new one
    }
  }
}
