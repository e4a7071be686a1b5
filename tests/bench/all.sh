#!/usr/bin/env bash
# all.sh: `make bench` for the HTTP server on both backends.
#
#   bash tests/bench/all.sh build/aims
#
# 1. tests/bench/run.sh on a temporary SQLite file (the baseline);
# 2. the same on a fresh database in a throw-away PostgreSQL cluster
#    (tools/pg-temp.sh, stopped at exit);
# 3. scale-out on that PostgreSQL database: the single-system GET and the list page
#    through one `aims serve` versus two, with the same total number of wrk
#    connections (split over the two servers, as a load balancer would);
# 4. a side-by-side table: SQLite, PostgreSQL, and PostgreSQL / SQLite.
#
# Only 127.0.0.1 and the cluster's Unix socket are used. Environment: as run.sh
# (BENCH_SYSTEMS, BENCH_DURATION, BENCH_CONNECTIONS, ...).
set -euo pipefail

AIMS="${1:-}"
[ -n "$AIMS" ] && [ -x "$AIMS" ] || { echo "usage: bash tests/bench/all.sh PATH-TO-aims" >&2; exit 2; }
AIMS="$(cd "$(dirname "$AIMS")" && pwd)/$(basename "$AIMS")"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DURATION="${BENCH_DURATION:-10}"
CONNS="${BENCH_CONNECTIONS:-32}"

work="$(mktemp -d /tmp/aims-bench-all.XXXXXX)"
pg_dir="$(mktemp -d /tmp/aims-bench-pg.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  bash "$root/tools/pg-temp.sh" stop "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "bench: $*" >&2; exit 1; }

echo "==================== SQLite"
BENCH_SUMMARY="$work/sqlite.txt" bash "$here/run.sh" "$AIMS"

echo
echo "==================== PostgreSQL"
bash "$root/tools/pg-temp.sh" start "$pg_dir" || die "PostgreSQL did not start"
url="$(bash "$root/tools/pg-temp.sh" createdb "$pg_dir" aims_bench)"
BENCH_DB="$url" BENCH_SUMMARY="$work/pg.txt" bash "$here/run.sh" "$AIMS"

# ---------------------------------------------------------------- scale-out

echo
echo "==================== PostgreSQL: 1 server vs 2 servers on one database"
token="$("$AIMS" token create --db "$url" --email admin@test.example --name scale-out)" || die "token create failed"
# Starts a server; its base URL goes into the variable named by $2. (Not a $(...):
# the pid must be recorded in this shell for cleanup to stop it.)
start() { # log variable
  "$AIMS" serve --db "$url" --listen 127.0.0.1:0 2>"$1" >/dev/null &
  pids+=($!)
  local found=""
  for _ in $(seq 100); do
    found=$(sed -n 's/^{"msg":"listening","url":"\(http:\/\/127\.0\.0\.1:[0-9]*\)\/".*/\1/p' "$1" | head -1)
    [ -n "$found" ] && break
    sleep 0.1
  done
  [ -n "$found" ] || die "a server did not start: $(head -c 400 "$1")"
  printf -v "$2" '%s' "$found"
}
start "$work/a.log" base_a
start "$work/b.log" base_b
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
declare -A one two
paths=("/api/v1/systems/$(( (${BENCH_SYSTEMS:-100000} + 1) / 2 ))" "/api/v1/systems?limit=50")
for p in "${paths[@]}"; do
  wrk -t2 -c"$CONNS" -d2s -H "Authorization: Bearer $token" "$base_a$p" >/dev/null 2>&1 || true
  wrk -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $token" "$base_a$p" >"$work/one.txt" 2>&1
  one[$p]=$(rps "$work/one.txt")
  wrk -t1 -c$((CONNS / 2)) -d"${DURATION}s" -H "Authorization: Bearer $token" "$base_a$p" >"$work/two-a.txt" 2>&1 &
  w=$!
  wrk -t1 -c$((CONNS / 2)) -d"${DURATION}s" -H "Authorization: Bearer $token" "$base_b$p" >"$work/two-b.txt" 2>&1
  wait "$w"
  two[$p]=$(awk -v x="$(rps "$work/two-a.txt")" -v y="$(rps "$work/two-b.txt")" 'BEGIN {printf "%.2f", x + y}')
done

# ---------------------------------------------------------------- report

val() { awk -F'|' -v k="$2" '$1 == k {print $2}' "$1"; }
echo
echo "aims on both backends: $(nproc) CPUs shared by wrk, the server(s) and PostgreSQL, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-44s %12s %12s %8s\n' measure SQLite PostgreSQL 'pg/sq'
while IFS='|' read -r key _; do
  s=$(val "$work/sqlite.txt" "$key"); g=$(val "$work/pg.txt" "$key")
  printf '%-44s %12s %12s %8s\n' "$key" "$s" "$g" "$(awk -v a="$g" -v b="$s" 'BEGIN {if (b > 0) printf "%.2f", a / b}')"
done <"$work/sqlite.txt"
echo "(rps: requests/s at -c$CONNS; p99: ms at the latency pass's clients; ratio: single GET / healthz)"
echo
printf '%-44s %12s %12s %8s\n' 'PostgreSQL scale-out (requests/s)' '1 server' '2 servers' '2/1'
for p in "${paths[@]}"; do
  printf '%-44s %12s %12s %8s\n' "GET $p" "${one[$p]}" "${two[$p]}" \
    "$(awk -v a="${two[$p]}" -v b="${one[$p]}" 'BEGIN {if (b > 0) printf "%.2f", a / b}')"
done
echo "(two servers on two cores that also run PostgreSQL and wrk cannot add CPU: this shows"
echo " that servers share one database correctly and what one more process costs, not scaling)"
