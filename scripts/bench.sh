#!/usr/bin/env bash
# Builds the bench module and runs the full fan-out benchmark (see docs/benchmarks.md); extra arguments go to it.
set -euo pipefail; cd "$(dirname "$0")/.." && ./mvnw -q -B -ntp -pl bench -am install -DskipTests && JAVA="${BENCH_JAVA:-$( [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && echo /usr/lib/jvm/temurin-25-jdk-amd64/bin/java || echo java)}" && exec "$JAVA" -jar bench/target/fanout-bench.jar --out bench/target/bench-results "$@"
