#!/usr/bin/env bash
# Renders a --timeline file (.svg or .html) in a real headless browser (Debian's chromium) and saves a PNG,
# to check that the picture renders and to look at it.
#
#   scripts/render-timeline.sh samples/target/seed.html docs/img/seed-timeline.png [1400x900]
#
# Installs chromium with apt-get when it is missing (Debian/Ubuntu, as root). Tests never need it.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 ]]; then
  echo "usage: $0 TIMELINE.svg|TIMELINE.html [OUT.png] [WIDTHxHEIGHT]" >&2
  exit 2
fi
input=$1
output=${2:-${input%.*}.png}
size=${3:-1400x900}
if [[ ! -f $input ]]; then
  echo "no such file: $input" >&2
  exit 2
fi

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  echo "chromium not found: installing Debian's chromium (apt-get)..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  browser=$(command -v chromium)
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$(realpath -m "$output")" --window-size="${size/x/,}" \
  "file://$(realpath "$input")" 2>/dev/null
echo "rendered $input -> $output ($(stat -c %s "$output") bytes)"
