#!/usr/bin/env bash
# Measures the 操作履歴 at scale (figures in docs/performance.md): generates ENTRIES
# genuine entries on a fresh demo database (the demo's first company holds 0.1 %, the
# second 10 %, 1,000 synthetic companies the rest), verifies them, then times over HTTP
# the first page of every search (wrk), the PDF of the first company's whole history and
# the CSV of the second's (curl), with the server's memory before and after.
#
#   bench/history.sh [ENTRIES] [DATABASE_URL]
#
# ENTRIES defaults to 1000000; DATABASE_URL (e.g. postgres://postgres@127.0.0.1/bench,
# created empty beforehand) defaults to SQLite in a temporary data directory.
# Needs a release build and wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
BIN=./target/release/madoguchi
# BENCH_DIR: measure an existing data directory again, without generating.
DIR=${BENCH_DIR:-$(mktemp -d)}
PORT=18282
BASE=http://127.0.0.1:$PORT
ARGS=(--data-dir "$DIR")
if [ -n "${2:-}" ]; then ARGS+=(--database-url "$2"); fi
export MADOGUCHI_LOG=warn MADOGUCHI_HISTORY_CHECKPOINT_SECONDS=3600
# One client asks far more often than a person: lift the per-address login limit.
export MADOGUCHI_LOGIN_PER_ADDRESS_PER_MINUTE=1000

serve() {
  "$BIN" serve --demo "${ARGS[@]}" --listen "127.0.0.1:$PORT" >/dev/null &
  PID=$!
  for _ in $(seq 1 300); do curl -sf "$BASE/healthz" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2; exit 1
}
stop() { kill -INT "$PID"; wait "$PID" || true; }

if [ -z "${BENCH_DIR:-}" ]; then
  serve; stop   # the demo data
  "$BIN" history generate --entries "$N" --shares 0.1,10 "${ARGS[@]}"
  "$BIN" history verify "${ARGS[@]}"
fi

serve
login() {
  curl -s -c "$DIR/$1.jar" -H 'content-type: application/json' \
    -d "{\"login_id\":\"$1\",\"password\":\"Demo1234\"}" "$BASE/api/v1/login" >/dev/null
  awk '/session/ {print $6"="$7}' "$DIR/$1.jar"
}
MASTER=$(login master01)
GENERAL=$(login ippan01)
OTHER=$(login other01)
IPPAN=$(curl -s -H "Cookie: $MASTER" "$BASE/history" | grep -o 'value="[0-9]*">[^<]*（ippan01）' | grep -o '^value="[0-9]*' | grep -o '[0-9]*')
TODAY=$(TZ=Asia/Tokyo date +%F)
WEEK=$(TZ=Asia/Tokyo date -d '7 days ago' +%F)

echo "| search (first page, 50 rows) | requests/s | p50 | p99 |"
echo "|---|---|---|---|"
measure() { # name cookie query
  out=$(wrk -t2 -c4 -d10s --latency -H "Cookie: $2" "$BASE/history?$3")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "| $1 | $rps | $p50 | $p99 |"
}
measure "general user, own entries" "$GENERAL" ""
measure "master, the company's entries" "$MASTER" ""
measure "master of the 10 % company" "$OTHER" ""
measure "操作日付: the last week" "$MASTER" "from=$WEEK&to=$TODAY"
measure "利用者" "$MASTER" "user=$IPPAN"
measure "業務種別 利用者管理" "$MASTER" "area=users"
measure "操作内容 ログイン" "$MASTER" "operation=%E3%83%AD%E3%82%B0%E3%82%A4%E3%83%B3"
measure "結果 エラー" "$MASTER" "outcome=error"
measure "操作端末" "$MASTER" "terminal=192.0.10.5"
measure "all combined" "$MASTER" "from=$WEEK&to=$TODAY&user=$IPPAN&area=auth&outcome=ok&terminal=192.0.10.5"
measure "10 % company, 結果 エラー + 業務種別" "$OTHER" "area=users&outcome=error"

rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$PID/status"; }
echo
echo "server RSS before: $(rss)"
curl -s -o "$DIR/print.pdf" -w 'PDF of the first company (all entries): %{time_total} s, %{size_download} bytes\n' \
  -H "Cookie: $MASTER" "$BASE/history/print"
echo "server RSS after the PDF: $(rss)"
curl -s -o "$DIR/all.csv" -w 'CSV of the 10 %% company: %{time_total} s, %{size_download} bytes, ' \
  -H "Cookie: $OTHER" "$BASE/history/csv"
echo "$(($(wc -l <"$DIR/all.csv") - 1)) rows"
echo "server RSS after the CSV: $(rss)"
stop
[ -n "${BENCH_DIR:-}" ] || rm -rf "$DIR"
