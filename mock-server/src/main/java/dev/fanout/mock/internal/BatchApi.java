package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenAI's Files and Batch APIs as OpenAI documents them: {@code POST /v1/files} (multipart, {@code purpose}
 * {@code batch}), {@code GET /v1/files/{id}}, {@code GET /v1/files/{id}/content}, {@code DELETE /v1/files/{id}},
 * {@code POST /v1/batches} ({@code input_file_id}, {@code endpoint}, {@code completion_window} {@code 24h},
 * {@code metadata}), {@code GET /v1/batches}, {@code GET /v1/batches/{id}}, {@code POST /v1/batches/{id}/cancel}.
 *
 * <p>A batch is {@code validating} when created, {@code in_progress} once its input is checked (or
 * {@code failed}, with {@code errors.data} naming the line), and {@code completed} after the configured
 * completion time: its requests answered by the chat and embeddings routes (no latency, no faults, no
 * metering), 2xx answers in the output file and the rest in the error file, lines in OpenAI's batch output
 * format. A cancelled batch goes {@code cancelling}, then {@code cancelled}. Time comes from the meter clock.
 */
final class BatchApi {
  /** OpenAI's per-batch limits. */
  static final int MAX_REQUESTS = 50_000;
  static final long MAX_FILE_BYTES = 200L * 1024 * 1024;
  private static final Set<String> ENDPOINTS = Set.of("/v1/responses", "/v1/chat/completions", "/v1/embeddings",
      "/v1/completions");
  private static final Set<String> PURPOSES = Set.of("assistants", "batch", "fine-tune", "vision", "user_data",
      "evals");
  private static final Pattern FILE = Pattern.compile("^/v1/files/([^/]+)(/content)?$");
  private static final Pattern BATCH = Pattern.compile("^/v1/batches/([^/]+)(/cancel)?$");
  private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");
  private static final Pattern PART_NAME = Pattern.compile("name=\"([^\"]*)\"");
  private static final Pattern PART_FILENAME = Pattern.compile("filename=\"([^\"]*)\"");

  private final Map<String, BackendDispatcher> routes;
  private final Duration completionTime;
  private final LongSupplier nanos;
  private final long startNanos;
  private final long startEpochSeconds = System.currentTimeMillis() / 1000;
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, StoredFile> files = new LinkedHashMap<>();
  private final Map<String, Batch> batches = new LinkedHashMap<>();

  BatchApi(Map<String, BackendDispatcher> routes, Duration completionTime, LongSupplier nanos) {
    this.routes = routes;
    this.completionTime = completionTime;
    this.nanos = nanos;
    this.startNanos = nanos.getAsLong();
  }

  private static final class StoredFile {
    String id;
    String filename;
    String purpose;
    byte[] bytes;
    long createdAt;
  }

  private static final class Batch {
    String id;
    String endpoint;
    String inputFileId;
    JsonNode metadata;
    long createdAt;
    long createdNanos;
    String status = "validating";
    List<JsonNode> errors;
    Long inProgressAt;
    Long finalizingAt;
    Long completedAt;
    Long failedAt;
    Long cancellingAt;
    Long cancelledAt;
    String outputFileId;
    String errorFileId;
    int total;
    int completed;
    int failed;
  }

  synchronized Reply handle(ReceivedRequest request) {
    String path = request.path();
    String method = request.method();
    if (path.equals("/v1/files")) {
      if (method.equals("POST")) return upload(request);
      if (method.equals("GET")) return listFiles();
      return Reply.methodNotAllowed(method, path, "GET, POST");
    }
    Matcher f = FILE.matcher(path);
    if (f.matches()) {
      StoredFile file = files.get(f.group(1));
      if (file == null) return Reply.notFound("No such File object: " + f.group(1));
      if (f.group(2) != null) {
        if (!method.equals("GET")) return Reply.methodNotAllowed(method, path, "GET");
        return Reply.raw(200, file.bytes, "application/octet-stream");
      }
      if (method.equals("GET")) return Reply.json(200, fileObject(file));
      if (method.equals("DELETE")) {
        files.remove(file.id);
        ObjectNode o = Json.object();
        o.put("id", file.id);
        o.put("object", "file");
        o.put("deleted", true);
        return Reply.json(200, o);
      }
      return Reply.methodNotAllowed(method, path, "GET, DELETE");
    }
    if (path.equals("/v1/batches")) {
      if (method.equals("POST")) return create(request);
      if (method.equals("GET")) return listBatches(request);
      return Reply.methodNotAllowed(method, path, "GET, POST");
    }
    Matcher b = BATCH.matcher(path);
    if (b.matches()) {
      Batch batch = batches.get(b.group(1));
      if (batch == null) return Reply.notFound("No such Batch object: " + b.group(1));
      if (b.group(2) != null) {
        if (!method.equals("POST")) return Reply.methodNotAllowed(method, path, "POST");
        return cancel(batch);
      }
      if (!method.equals("GET")) return Reply.methodNotAllowed(method, path, "GET");
      advance(batch);
      return Reply.json(200, batchObject(batch));
    }
    return Reply.notFound("no route for " + method + " " + path);
  }

  private long now() {
    return startEpochSeconds + (nanos.getAsLong() - startNanos) / 1_000_000_000L;
  }

  // ---- files

  private Reply upload(ReceivedRequest request) {
    String contentType = request.header("Content-Type");
    Matcher m = contentType == null ? null : BOUNDARY.matcher(contentType);
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")
        || !m.find()) {
      return Reply.badRequest("Invalid Content-Type header (" + contentType + "), expected multipart/form-data.",
          null);
    }
    Map<String, Part> parts = parseMultipart(request.body(), m.group(1));
    Part purpose = parts.get("purpose");
    Part file = parts.get("file");
    if (file == null) {
      return Reply.error(400, "Missing required parameter: 'file'.", "invalid_request_error", "file",
          "missing_required_parameter");
    }
    if (purpose == null) {
      return Reply.error(400, "Missing required parameter: 'purpose'.", "invalid_request_error", "purpose",
          "missing_required_parameter");
    }
    String p = new String(purpose.content, StandardCharsets.UTF_8).strip();
    if (!PURPOSES.contains(p)) {
      return Reply.badRequest("Invalid value for 'purpose': '" + p + "'. Expected one of " + PURPOSES + ".",
          "purpose");
    }
    if (p.equals("batch")) {
      if (file.filename == null || !file.filename.endsWith(".jsonl")) {
        return Reply.badRequest("Invalid file format for Batch API. Must be .jsonl", "file");
      }
      if (file.content.length > MAX_FILE_BYTES) {
        return Reply.badRequest("File is too large: " + file.content.length + " bytes; a batch input file "
            + "is at most " + MAX_FILE_BYTES + " bytes.", "file");
      }
    }
    StoredFile stored = store(file.filename == null ? "upload" : file.filename, p, file.content);
    return Reply.json(200, fileObject(stored));
  }

  private StoredFile store(String filename, String purpose, byte[] bytes) {
    StoredFile s = new StoredFile();
    s.id = "file-" + String.format(Locale.ROOT, "%024x", ids.incrementAndGet());
    s.filename = filename;
    s.purpose = purpose;
    s.bytes = bytes;
    s.createdAt = now();
    files.put(s.id, s);
    return s;
  }

  private Reply listFiles() {
    ObjectNode list = Json.object();
    list.put("object", "list");
    ArrayNode data = list.putArray("data");
    files.values().forEach(f -> data.add(fileObject(f)));
    list.put("has_more", false);
    return Reply.json(200, list);
  }

  private ObjectNode fileObject(StoredFile f) {
    ObjectNode o = Json.object();
    o.put("id", f.id);
    o.put("object", "file");
    o.put("bytes", f.bytes.length);
    o.put("created_at", f.createdAt);
    o.putNull("expires_at");
    o.put("filename", f.filename);
    o.put("purpose", f.purpose);
    o.put("status", "processed");
    o.putNull("status_details");
    return o;
  }

  private record Part(String filename, byte[] content) {}

  /** The named parts of a multipart/form-data body (RFC 7578). */
  private static Map<String, Part> parseMultipart(byte[] body, String boundary) {
    Map<String, Part> parts = new LinkedHashMap<>();
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    int at = indexOf(body, delimiter, 0);
    while (at >= 0) {
      int start = at + delimiter.length;
      if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') break; // the close delimiter
      int headersStart = start + 2; // CRLF after the delimiter
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
      if (headersEnd < 0) break;
      String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
      int contentStart = headersEnd + 4;
      int next = indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1), contentStart);
      if (next < 0) break;
      byte[] content = java.util.Arrays.copyOfRange(body, contentStart, next);
      Matcher name = PART_NAME.matcher(headers);
      if (name.find()) {
        Matcher filename = PART_FILENAME.matcher(headers);
        parts.putIfAbsent(name.group(1), new Part(filename.find() ? filename.group(1) : null, content));
      }
      at = next + 2;
    }
    return parts;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  // ---- batches

  private Reply create(ReceivedRequest request) {
    JsonNode root = Json.parseOrNull(request.body());
    if (root == null || !root.isObject()) {
      return Reply.badRequest("We could not parse the JSON body of your request.", null);
    }
    for (String required : new String[] {"input_file_id", "endpoint", "completion_window"}) {
      if (!root.path(required).isTextual()) {
        return Reply.error(400, "Missing required parameter: '" + required + "'.", "invalid_request_error", required,
            "missing_required_parameter");
      }
    }
    String endpoint = root.get("endpoint").asText();
    if (!ENDPOINTS.contains(endpoint)) {
      return Reply.badRequest("Invalid value for 'endpoint': '" + endpoint + "'. Supported values are: "
          + "'/v1/responses', '/v1/chat/completions', '/v1/embeddings' and '/v1/completions'.", "endpoint");
    }
    String window = root.get("completion_window").asText();
    if (!window.equals("24h")) {
      return Reply.badRequest("Invalid value for 'completion_window': '" + window + "'. Supported values are: "
          + "'24h'.", "completion_window");
    }
    JsonNode metadata = root.get("metadata");
    if (metadata != null && !metadata.isNull() && (!metadata.isObject() || metadata.size() > 16)) {
      return Reply.badRequest("Invalid 'metadata': an object of at most 16 string pairs.", "metadata");
    }
    String inputFileId = root.get("input_file_id").asText();
    StoredFile input = files.get(inputFileId);
    if (input == null) return Reply.notFound("No such File object: " + inputFileId);
    if (!input.purpose.equals("batch")) {
      return Reply.badRequest("File " + inputFileId + " has purpose '" + input.purpose + "'; a batch's input file "
          + "must have purpose 'batch'.", "input_file_id");
    }
    Batch b = new Batch();
    b.id = "batch_" + String.format(Locale.ROOT, "%024x", ids.incrementAndGet());
    b.endpoint = endpoint;
    b.inputFileId = inputFileId;
    b.metadata = metadata == null || metadata.isNull() ? null : metadata;
    b.createdAt = now();
    b.createdNanos = nanos.getAsLong();
    batches.put(b.id, b);
    return Reply.json(200, batchObject(b));
  }

  private Reply listBatches(ReceivedRequest request) {
    ObjectNode list = Json.object();
    list.put("object", "list");
    ArrayNode data = list.putArray("data");
    List<Batch> all = new ArrayList<>(batches.values());
    java.util.Collections.reverse(all); // newest first
    String after = request.url().queryParameter("after");
    String limitText = request.url().queryParameter("limit");
    int limit = 20;
    try {
      if (limitText != null) limit = Math.max(1, Math.min(100, Integer.parseInt(limitText)));
    } catch (NumberFormatException e) {
      return Reply.badRequest("Invalid value for 'limit': '" + limitText + "'.", "limit");
    }
    boolean started = after == null;
    int added = 0;
    boolean more = false;
    for (Batch b : all) {
      if (!started) {
        started = b.id.equals(after);
        continue;
      }
      if (added == limit) {
        more = true;
        break;
      }
      advance(b);
      data.add(batchObject(b));
      added++;
    }
    if (data.size() > 0) {
      list.put("first_id", data.get(0).get("id").asText());
      list.put("last_id", data.get(data.size() - 1).get("id").asText());
    } else {
      list.putNull("first_id");
      list.putNull("last_id");
    }
    list.put("has_more", more);
    return Reply.json(200, list);
  }

  private Reply cancel(Batch b) {
    advance(b);
    if (!b.status.equals("validating") && !b.status.equals("in_progress")) {
      return Reply.error(409, "Cannot cancel a batch with status '" + b.status + "'.", "invalid_request_error", null,
          null);
    }
    b.status = "cancelling";
    b.cancellingAt = now();
    return Reply.json(200, batchObject(b));
  }

  /** Moves {@code b} along its life by the clock: validating, in_progress, then completed (or failed). */
  private void advance(Batch b) {
    switch (b.status) {
      case "validating" -> validate(b);
      case "cancelling" -> {
        b.status = "cancelled";
        b.cancelledAt = now();
        return;
      }
      default -> { }
    }
    if (b.status.equals("in_progress") && nanos.getAsLong() - b.createdNanos >= completionTime.toNanos()) {
      run(b);
    }
  }

  private void validate(Batch b) {
    StoredFile input = files.get(b.inputFileId);
    List<JsonNode> errors = new ArrayList<>();
    int count = 0;
    if (input == null) {
      errors.add(error("invalid_file", "The input file was deleted.", null, null));
    } else {
      Set<String> seen = new HashSet<>();
      String[] lines = new String(input.bytes, StandardCharsets.UTF_8).split("\n", -1);
      for (int i = 0; i < lines.length && errors.size() < 10; i++) {
        String line = lines[i].strip();
        if (line.isEmpty()) continue;
        count++;
        JsonNode r = Json.parseOrNull(line.getBytes(StandardCharsets.UTF_8));
        Integer n = i + 1;
        if (r == null || !r.isObject()) {
          errors.add(error("invalid_json_line", "This line is not parseable as valid JSON.", n, null));
        } else if (!r.path("custom_id").isTextual()) {
          errors.add(error("missing_required_parameter", "Missing required parameter: 'custom_id'.", n, "custom_id"));
        } else if (!seen.add(r.get("custom_id").asText())) {
          errors.add(error("duplicate_custom_id", "The custom_id for this request is a duplicate of another "
              + "request. The custom_id parameter must be unique for each request in a batch.", n, "custom_id"));
        } else if (!"POST".equals(r.path("method").asText())) {
          errors.add(error("invalid_method", "Only POST is supported for batch requests.", n, "method"));
        } else if (!b.endpoint.equals(r.path("url").asText())) {
          errors.add(error("mismatched_endpoint", "The provided url for this request does not match the batch "
              + "endpoint " + b.endpoint + ".", n, "url"));
        } else if (!r.path("body").isObject()) {
          errors.add(error("missing_required_parameter", "Missing required parameter: 'body'.", n, "body"));
        }
      }
      if (count == 0) errors.add(error("empty_file", "The batch input file is empty.", null, null));
      if (count > MAX_REQUESTS) {
        errors.add(error("too_many_requests", "The batch input file has " + count + " requests; a batch takes at "
            + "most " + MAX_REQUESTS + ".", null, null));
      }
    }
    if (!errors.isEmpty()) {
      b.status = "failed";
      b.failedAt = now();
      b.errors = errors;
      return;
    }
    b.total = count;
    b.status = "in_progress";
    b.inProgressAt = now();
  }

  private static JsonNode error(String code, String message, Integer line, String param) {
    ObjectNode e = Json.object();
    e.put("code", code);
    e.put("message", message);
    e.put("param", param);
    if (line == null) e.putNull("line"); else e.put("line", line);
    return e;
  }

  private void run(Batch b) {
    StoredFile input = files.get(b.inputFileId);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String route = b.endpoint.equals("/v1/embeddings") ? "embeddings" : "chat";
    BackendDispatcher dispatcher = routes.get(route);
    for (String line : new String(input.bytes, StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) continue;
      JsonNode r = Json.parseOrNull(line.getBytes(StandardCharsets.UTF_8));
      ObjectNode result = Json.object();
      result.put("id", "batch_req_" + String.format(Locale.ROOT, "%024x", ids.incrementAndGet()));
      result.put("custom_id", r.get("custom_id").asText());
      Reply reply;
      if (b.endpoint.equals("/v1/chat/completions") || b.endpoint.equals("/v1/embeddings")) {
        reply = dispatcher.handle(ReceivedRequest.builder().method("POST").target(b.endpoint)
            .headers(okhttp3.Headers.of("Content-Type", "application/json"))
            .body(Json.bytes(r.get("body"))).build());
      } else {
        reply = Reply.notFound("The mock answers batches of /v1/chat/completions and /v1/embeddings only");
      }
      ObjectNode response = result.putObject("response");
      response.put("status_code", reply.code());
      response.put("request_id", "req_" + String.format(Locale.ROOT, "%032x", ids.incrementAndGet()));
      response.set("body", Json.parseOrNull(reply.body()));
      result.putNull("error");
      ByteArrayOutputStream to = reply.code() / 100 == 2 ? out : err;
      to.writeBytes(Json.bytes(result));
      to.write('\n');
      if (reply.code() / 100 == 2) b.completed++; else b.failed++;
    }
    if (out.size() > 0) b.outputFileId = store(b.id + "_output.jsonl", "batch_output", out.toByteArray()).id;
    if (err.size() > 0) b.errorFileId = store(b.id + "_error.jsonl", "batch_output", err.toByteArray()).id;
    b.finalizingAt = now();
    b.completedAt = now();
    b.status = "completed";
  }

  private ObjectNode batchObject(Batch b) {
    ObjectNode o = Json.object();
    o.put("id", b.id);
    o.put("object", "batch");
    o.put("endpoint", b.endpoint);
    if (b.errors == null) {
      o.putNull("errors");
    } else {
      ObjectNode errors = o.putObject("errors");
      errors.put("object", "list");
      errors.putArray("data").addAll(b.errors);
    }
    o.put("input_file_id", b.inputFileId);
    o.put("completion_window", "24h");
    o.put("status", b.status);
    o.put("output_file_id", b.outputFileId);
    o.put("error_file_id", b.errorFileId);
    o.put("created_at", b.createdAt);
    o.put("in_progress_at", b.inProgressAt);
    o.put("expires_at", b.createdAt + 24 * 3600);
    o.put("finalizing_at", b.finalizingAt);
    o.put("completed_at", b.completedAt);
    o.put("failed_at", b.failedAt);
    o.putNull("expired_at");
    o.put("cancelling_at", b.cancellingAt);
    o.put("cancelled_at", b.cancelledAt);
    ObjectNode counts = o.putObject("request_counts");
    counts.put("total", b.total);
    counts.put("completed", b.completed);
    counts.put("failed", b.failed);
    if (b.metadata == null) o.putNull("metadata"); else o.set("metadata", b.metadata);
    return o;
  }
}
