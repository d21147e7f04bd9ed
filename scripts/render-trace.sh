#!/usr/bin/env bash
# Draws one trace from OTLP JSON lines (what OTEL_TRACES_EXPORTER=logging-otlp writes to stderr, or a
# collector's file exporter output) as a waterfall SVG, with dev.fanout.samples.report.TraceSvg.
#
#   OTEL_TRACES_EXPORTER=logging-otlp java -jar samples/target/fanout-samples.jar seed 2> spans.jsonl
#   scripts/render-trace.sh spans.jsonl trace.svg [TRACE_ID]
#
# Without TRACE_ID it draws the trace with the most spans. Lines that are not JSON (logs) are skipped.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 SPANS.jsonl OUT.svg [TRACE_ID]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")/.." && pwd)
jar=$here/samples/target/fanout-samples.jar
if [[ ! -f $jar ]]; then
  echo "no $jar: build it with ./mvnw -q -pl samples -am package -DskipTests" >&2
  exit 2
fi
exec java -cp "$jar" dev.fanout.samples.report.TraceSvg "$@"
