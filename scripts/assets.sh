#!/usr/bin/env bash
# Fetches the offline speech assets into ./assets/ (git-ignored) and verifies them:
#   assets/silero_vad.onnx     Silero VAD v5 (MIT), from npm @livekit/agents-plugin-silero
#   assets/libonnxruntime.so   ONNX Runtime 1.28 for linux-x64 (MIT), from npm sherpa-onnx-linux-x64
# Idempotent: files already present with the pinned SHA-256 are kept. `npm pack` only downloads the tarball
# (no install scripts run). Exits non-zero with a message when a download or a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ASSETS="$(pwd)/assets"

# name | npm package@version | path inside the tarball | sha256 | size in bytes
MANIFEST=(
  "silero_vad.onnx|@livekit/agents-plugin-silero@1.9.0|package/dist/silero_vad.onnx|1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3|2327524"
  "libonnxruntime.so|sherpa-onnx-linux-x64@1.13.8|package/libonnxruntime.so|4b3607aebd1784b26b6f9b20e4bd974c7ab8287043e4d095cb7d2cb40b5e566e|27026609"
)

fail() { echo "assets.sh: $*" >&2; exit 1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
report() { printf '  %-20s %10s bytes  sha256 %s\n' "$1" "$(size "$2")" "$(sha "$2")"; }

mkdir -p "$ASSETS"
WORK=""
trap 'if [ -n "$WORK" ]; then rm -rf "$WORK"; fi' EXIT

for entry in "${MANIFEST[@]}"; do
  IFS='|' read -r name package member want_sha want_size <<<"$entry"
  target="$ASSETS/$name"
  if [ -f "$target" ] && [ "$(sha "$target")" = "$want_sha" ]; then
    report "$name" "$target"
    continue
  fi
  if [ "$name" = libonnxruntime.so ] && [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    fail "libonnxruntime.so is pinned for Linux x86_64; on $(uname -s)-$(uname -m) set Awaaz:Vad:OnnxRuntimePath to a local ONNX Runtime (>= 1.17)"
  fi
  command -v npm >/dev/null || fail "npm is needed to fetch $package (apt-get install npm), or place $name in $ASSETS by hand"
  [ -n "$WORK" ] || WORK=$(mktemp -d /tmp/awaaz-assets.XXXXXX)
  echo "Fetching $package ($member)…"
  tarball=$( (cd "$WORK" && npm pack --silent "$package") 2>"$WORK/npm.log" | tail -n 1) ||
    fail "npm pack $package failed: $(tail -n 5 "$WORK/npm.log")"
  [ -f "$WORK/$tarball" ] || fail "npm pack $package produced no tarball: $(tail -n 5 "$WORK/npm.log")"
  mkdir -p "$WORK/x"
  tar -xzf "$WORK/$tarball" -C "$WORK/x" "$member" || fail "$package has no $member"
  got_sha=$(sha "$WORK/x/$member")
  got_size=$(size "$WORK/x/$member")
  [ "$got_sha" = "$want_sha" ] && [ "$got_size" = "$want_size" ] ||
    fail "$name from $package does not match the pinned file: sha256 $got_sha ($got_size bytes), expected $want_sha ($want_size bytes)"
  install -m 0644 "$WORK/x/$member" "$target.tmp" && mv -f "$target.tmp" "$target"
  report "$name" "$target"
done
