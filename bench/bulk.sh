#!/usr/bin/env bash
# Measures 依頼(ファイル受付) over HTTP (figures in docs/performance.md): a demo server on a
# fresh database, a 総合振込 file of N records written by `host sample-file`, uploaded as
# multipart by the master (parse, every rule, the master, the fees per record, the
# records stored in one transaction with the 操作履歴 entry), timed by curl, with the
# server's resident memory before and its peak after.
#
#   bench/bulk.sh [RECORDS...] [-- DATABASE_URL]
#
# RECORDS default to "10000 100000"; DATABASE_URL (created empty beforehand) defaults to
# SQLite in a temporary data directory. Needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=./target/release/madoguchi
SIZES=()
URL=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then URL=${2:-}; break; fi
  SIZES+=("$1"); shift
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)
DIR=$(mktemp -d)
PORT=18283
BASE=http://127.0.0.1:$PORT
ARGS=(--data-dir "$DIR")
if [ -n "$URL" ]; then ARGS+=(--database-url "$URL"); fi
export MADOGUCHI_LOG=warn
"$BIN" serve --demo "${ARGS[@]}" --listen "127.0.0.1:$PORT" >/dev/null &
PID=$!
trap 'kill -INT $PID; wait $PID || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 300); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
CSRF=$(curl -s -c "$DIR/jar" -H 'content-type: application/json' \
  -d '{"login_id":"master01","password":"Demo1234"}' "$BASE/api/v1/login" | grep -o '"csrf_token":"[^"]*' | cut -d'"' -f4)
MASTER_ID=$(curl -s -b "$DIR/jar" "$BASE/bulk/bulk_transfer/upload" | grep -o 'value="[0-9]*">[^<]*(master01)' | grep -o '^value="[0-9]*' | grep -o '[0-9]*')
rss() { awk "/$1/ {print \$2}" "/proc/$PID/status"; }
echo "| records | file | upload → 作成中 (validate and store) | records/s | server RSS before → peak |"
echo "|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  "$BIN" host sample-file --business bulk_transfer --records "$n" --out "$DIR/f$n.txt" "${ARGS[@]}" >/dev/null
  before=$(rss VmRSS)
  out=$(curl -s -o "$DIR/r$n.json" -w '%{http_code} %{time_total}' -b "$DIR/jar" -H "x-csrf-token: $CSRF" \
    -F "file=@$DIR/f$n.txt" -F fee_side=payee -F "first_approver=$MASTER_ID" "$BASE/api/v1/bulk/bulk_transfer/files")
  code=${out%% *}; secs=${out##* }
  [ "$code" = 201 ] || { echo "upload of $n records answered $code: $(head -c 300 "$DIR/r$n.json")" >&2; exit 1; }
  size=$(stat -c %s "$DIR/f$n.txt")
  echo "| $n | $((size / 1000)) kB | ${secs} s | $(awk "BEGIN {printf \"%.0f\", $n / $secs}") | ${before} → $(rss VmHWM) KiB |"
done
