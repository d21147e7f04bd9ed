package dev.fanout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;

/** Writes a {@link FanoutReport} as the JSON {@link FanoutReport#toJson()} documents. */
final class FanoutReportJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FanoutReportJson() {}

  static String write(FanoutReport report) {
    long startNanoTime = report.startNanoTime();
    ObjectNode root = JSON.createObjectNode();
    root.put("combinator", report.combinator());
    root.put("finished", report.finished());
    root.put("wallMillis", millis(report.wall().toNanos()));
    root.put("sumMillis", millis(report.sumOfCallTimes().toNanos()));
    root.put("inFlightMillis", millis(report.inFlightTime().toNanos()));
    root.put("queuedMillis", millis(report.queuedTime().toNanos()));
    root.put("clientQueuedMillis", millis(report.clientQueuedTime().toNanos()));
    root.put("governorWaitMillis", millis(report.governorWaitTime().toNanos()));
    root.put("speedUp", Math.round(report.speedUp() * 100) / 100.0);
    root.put("peakConcurrency", report.peakConcurrency());
    root.put("peakInputs", report.peakInputs());
    root.put("ok", report.succeeded());
    root.put("failed", report.failed());
    root.put("hedgesSent", report.hedgesSent());
    root.put("hedgesWon", report.hedgesWon());
    GovernorReport governor = report.governor();
    ObjectNode gov = root.putObject("governor");
    gov.put("rateLimited", governor.rateLimited());
    gov.put("waitedCalls", governor.waitedCalls());
    gov.put("totalWaitMillis", millis(governor.totalWait().toNanos()));
    gov.put("maxWaitMillis", millis(governor.maxWait().toNanos()));
    ArrayNode govBuckets = gov.putArray("buckets");
    for (GovernorReport.Bucket b : governor.buckets()) {
      ObjectNode bn = govBuckets.addObject();
      bn.put("host", b.host());
      bn.put("bucket", b.name());
      if (b.concurrencyLimit().isPresent()) {
        bn.put("concurrencyLimit", b.concurrencyLimit().getAsInt());
      }
      bn.put("rateLimited", b.rateLimited());
      bn.put("admitted", b.admitted());
      ArrayNode limits = bn.putArray("limits");
      for (GovernorReport.Limit l : b.limits()) {
        ObjectNode ln = limits.addObject();
        ln.put("dimension", l.dimension().name());
        ln.put("limit", l.limit());
        if (!l.window().isZero()) {
          ln.put("windowSeconds", l.window().toNanos() / 1e9);
        }
        ln.put("ratePerSecond", Math.round(l.ratePerSecond() * 100) / 100.0);
      }
    }
    ArrayNode list = root.putArray("entries");
    for (FanoutReport.Entry entry : report.entries()) {
      ObjectNode node = list.addObject();
      node.put("index", entry.index());
      node.put("label", entry.label());
      node.put("startMillis", entry.started() ? millis(entry.startNanos()) : -1);
      node.put("endMillis", entry.endNanos() >= 0 ? millis(entry.endNanos()) : -1);
      node.put("queuedMillis", millis(entry.queued().toNanos()));
      node.put("clientQueuedMillis", millis(entry.clientQueued().toNanos()));
      node.put("governorWaitMillis", millis(entry.governorWait().toNanos()));
      node.put("inFlightMillis", millis(entry.inFlight().toNanos()));
      node.put("attempts", entry.attempts());
      node.put("outcome", entry.outcome().name());
      if (entry.errorType() != null) {
        node.put("error", entry.errorType().getName());
      }
      node.put("hedgesSent", entry.hedgesSent());
      node.put("hedgesWon", entry.hedgesWon());
      ArrayNode calls = node.putArray("calls");
      for (CallTrace call : entry.calls()) {
        ObjectNode c = calls.addObject();
        c.put("label", call.label());
        putRelativeMillis(c, "startMillis", startNanoTime, call.startNanos());
        putRelativeMillis(c, "connectedMillis", startNanoTime, call.connectedNanos());
        putRelativeMillis(c, "firstByteMillis", startNanoTime, call.firstByteNanos());
        c.put("endMillis", relativeMillis(startNanoTime, call.endNanos()));
        c.put("attempts", call.attempts());
        if (call.statusCode().isPresent()) {
          c.put("status", call.statusCode().getAsInt());
        }
        CallTrace.Split split = call.split();
        c.put("durationMillis", millis(call.durationNanos()));
        c.put("clientQueuedMillis", millis(split.clientQueueNanos()));
        c.put("governorWaitMillis", millis(split.governorWaitNanos()));
        c.put("inFlightMillis", millis(split.inFlightNanos()));
        c.put("betweenAttemptsMillis", millis(split.betweenAttemptsNanos()));
        c.put("outcome", call.outcome().name());
        if (call.errorType() != null) {
          c.put("error", call.errorType().getName());
        }
        c.put("hedgesSent", call.hedgesSent());
        c.put("hedgesWon", call.hedgesWon());
        c.put("replays", call.replays());
        ArrayNode attempts = c.putArray("attemptTimes");
        for (CallTrace.Attempt a : call.attemptTimes()) {
          ObjectNode at = attempts.addObject();
          at.put("askedMillis", relativeMillis(startNanoTime, a.askedNanos()));
          putRelativeMillis(at, "enqueuedMillis", startNanoTime, a.enqueuedNanos());
          putRelativeMillis(at, "sentMillis", startNanoTime, a.sentNanos());
          at.put("endMillis", relativeMillis(startNanoTime, a.endNanos()));
        }
      }
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write report", e);
    }
  }

  private static double relativeMillis(long startNanoTime, long nanoTime) {
    return millis(nanoTime - startNanoTime);
  }

  /** Puts {@code nanoTime} relative to the fan-out's start, leaving the field out for a phase that did not happen. */
  private static void putRelativeMillis(ObjectNode node, String field, long startNanoTime, OptionalLong nanoTime) {
    if (nanoTime.isPresent()) {
      node.put(field, relativeMillis(startNanoTime, nanoTime.getAsLong()));
    }
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }
}
