#!/usr/bin/env bash
# run.sh: the aims HTTP benchmark (`make bench`, then tests/bench/fair.sh; not part of `make check`).
#
#   bash tests/bench/run.sh build/aims
#
# 1. creates a temporary database with `aims init` and loads it with N AI systems
#    (default 100,000) spread over a few departments: a generated CSV imported with
#    `aims system import` in chunks of 10,000 rows (falls back to
#    POST /api/v1/systems/import when that command is missing);
# 2. starts `aims serve` on 127.0.0.1 (a port it picks itself) and records its idle
#    resident memory (VmRSS) after startup;
# 3. with wrk (-t2 -c32, 10 s each, after a 2 s warm-up) measures
#      GET /healthz                       the ceiling: no database, no authentication
#      GET /api/v1/systems/{id}           one system (bearer token)
#      GET /api/v1/systems?limit=50       a page of the list (bearer token)
#      GET /systems                       the HTML list page (session cookie)
#      GET /                              the HTML dashboard (session cookie)
#    and the resident memory at the end;
# 4. prints a table (requests/s, p99 latency, ratio to the ceiling) and the targets
#    with PASS or MISS:
#      single-system GET >= 0.5 x ceiling; list (API and HTML) and dashboard p99
#      < 20 ms; idle RSS < 20 MB.
#
# Only 127.0.0.1 is contacted. Everything is bounded in time; the server is killed on
# exit (trap). Exit status: 0 when it ran (targets missed are reported, not fatal),
# 1 when the benchmark itself could not run, 2 for a usage error.
#
# Environment: BENCH_SYSTEMS (default 100000), BENCH_DURATION (seconds per endpoint,
# default 10), BENCH_CONNECTIONS (default 32), BENCH_THREADS (wrk threads, default 2),
# BENCH_LATENCY_CONNECTIONS (clients of the latency pass behind the p99 targets, default 4),
# BENCH_RATIO_ROUNDS (interleaved /healthz vs single-GET rounds behind the ratio target, 3),
# BENCH_KEEP=1 keeps the temporary directory (database, CSV, server log),
# BENCH_DB=URL benchmarks that (empty) database instead of a temporary SQLite file,
# e.g. a PostgreSQL database (tests/bench/all.sh does this), BENCH_SUMMARY=FILE
# writes the results as "key|value" lines for all.sh's side-by-side table.
set -euo pipefail

AIMS="${1:-}"
if [ -z "$AIMS" ] || [ ! -x "$AIMS" ]; then
  echo "usage: bash tests/bench/run.sh PATH-TO-aims (built: make build/aims)" >&2
  exit 2
fi
AIMS="$(cd "$(dirname "$AIMS")" && pwd)/$(basename "$AIMS")"

SYSTEMS="${BENCH_SYSTEMS:-100000}"
DURATION="${BENCH_DURATION:-10}"
LAT_CONNS="${BENCH_LATENCY_CONNECTIONS:-4}"
RATIO_ROUNDS="${BENCH_RATIO_ROUNDS:-3}"
CONNS="${BENCH_CONNECTIONS:-32}"
WRK_THREADS="${BENCH_THREADS:-2}"
CHUNK=10000
ORGS=6
EMAIL=admin@test.example
PASSWORD=admin-pass-123456

for tool in wrk curl awk; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make deps installs it)" >&2; exit 1; }
done

work="$(mktemp -d /tmp/aims-bench.XXXXXX)"
db="${BENCH_DB:-$work/aims.db}"
log="$work/server.log"
server_pid=""

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    echo "bench: kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "bench: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# ---------------------------------------------------------------- 1. data

echo "bench: machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
rev=$(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$(dirname "$0")" diff --quiet HEAD -- src web migrations 2>/dev/null || rev="$rev+changes"
echo "bench: aims: $AIMS (source $rev)"
t0=$(now_ms)
echo "$PASSWORD" | timeout 30 "$AIMS" init --db "$db" --password-stdin --admin-email "$EMAIL" >/dev/null \
  || die "aims init failed"

# A handful of departments under the root (id 1); systems rotate over root + these.
org_ids=(1)
for i in $(seq "$ORGS"); do
  out=$(timeout 10 "$AIMS" org add --db "$db" --name "벤치 부서 $i" --kind department --parent 1) \
    || die "aims org add failed"
  id=$(sed -n 's/^{"id":\([0-9]*\),.*/\1/p' <<<"$out")
  [ -n "$id" ] || die "aims org add printed no id: $out"
  org_ids+=("$id")
done

# CSV chunks: unique names, a realistic purpose, rotating stages and organisations.
gen_chunk() { # first last file
  awk -v first="$1" -v last="$2" -v orgs="${org_ids[*]}" 'BEGIN {
    n = split("inception design_development verification_validation deployment operation_monitoring continuous_validation reevaluation retirement", st, " ")
    m = split(orgs, org, " ")
    print "name,purpose,lifecycle_stage,org_id"
    for (i = first; i <= last; i++)
      printf "벤치 AI 시스템 %06d,시민 민원 %d번 유형을 분류하고 담당 부서로 안내합니다 (benchmark row),%s,%d\n", i, i, st[(i - 1) % n + 1], org[(i - 1) % m + 1]
  }' >"$3"
}

# The CLI import when this build has it; otherwise the HTTP API (needs a server).
use_cli=0
if timeout 5 "$AIMS" system import --help >/dev/null 2>&1; then use_cli=1; fi

start_server() {
  : >"$log"
  "$AIMS" serve --db "$db" --listen 127.0.0.1:0 2>>"$log" >/dev/null &
  server_pid=$!
  base=""
  for _ in $(seq 100); do
    base=$(sed -n 's/^{"msg":"listening","url":"\(http:\/\/127\.0\.0\.1:[0-9]*\)\/".*/\1/p' "$log" | head -1)
    [ -n "$base" ] && break
    kill -0 "$server_pid" 2>/dev/null || die "the server exited at startup: $(head -c 600 "$log")"
    sleep 0.1
  done
  [ -n "$base" ] || die "the server did not log its address within 10 s"
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/healthz")" = 200 ] && return 0
    sleep 0.1
  done
  die "GET /healthz did not answer 200 within 10 s"
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$server_pid" 2>/dev/null && die "the server did not stop within 15 s of SIGTERM"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

token=$(timeout 10 "$AIMS" token create --db "$db" --email "$EMAIL" --name bench) || die "aims token create failed"

if [ "$use_cli" = 0 ]; then
  echo "bench: 'aims system import' is not available; loading through POST /api/v1/systems/import"
  start_server
fi
loaded=0
for ((first = 1; first <= SYSTEMS; first += CHUNK)); do
  last=$((first + CHUNK - 1)); ((last > SYSTEMS)) && last=$SYSTEMS
  csv="$work/chunk-$first.csv"
  gen_chunk "$first" "$last" "$csv"
  if [ "$use_cli" = 1 ]; then
    timeout 120 "$AIMS" system import --db "$db" --as "$EMAIL" --file "$csv" >"$work/import.out" 2>&1 \
      || die "import of rows $first-$last failed: $(head -c 600 "$work/import.out")"
  else
    code=$(curl -s -o "$work/import.out" -w '%{http_code}' --max-time 120 -H "Authorization: Bearer $token" \
      -H 'Content-Type: text/csv' --data-binary "@$csv" "$base/api/v1/systems/import")
    [ "$code" = 201 ] || die "POST /api/v1/systems/import (rows $first-$last) answered $code: $(head -c 600 "$work/import.out")"
  fi
  rm -f "$csv"
  loaded=$last
done
[ "$use_cli" = 0 ] && if [ -n "${BENCH_SUMMARY:-}" ]; then
  {
    echo "load_s|$((load_ms / 1000)).$(((load_ms % 1000) / 100))"
    for ((k = 0; k < i; k++)); do echo "rps ${r_name[k]}|${r_rps[k]}"; done
    echo "ratio|$ratio_median"
    for ((k = 2; k < i; k++)); do echo "p99 ${r_name[k]}|${l_p99[k]}"; done
    echo "idle_rss_mb|$(mb "$idle_rss")"
  } >"$BENCH_SUMMARY"
fi

stop_server
load_ms=$(($(now_ms) - t0))
if [ -f "$db" ]; then size="$(du -h "$db" | cut -f1) SQLite database"; else size="database ${db%%\?*}"; fi
echo "bench: loaded $loaded AI systems in $((load_ms / 1000)).$(((load_ms % 1000) / 100)) s ($size)"

# ---------------------------------------------------------------- 2. server

start_server
sleep 1
idle_rss=$(rss_kb "$server_pid")
echo "bench: server $base (pid $server_pid), idle RSS $(mb "$idle_rss") MB"

# A browser session: GET /login sets aims_precsrf (double-submit) and the form's
# _csrf; POST /login answers 303 with aims_session.
jar="$work/cookies.txt"
page=$(curl -s --max-time 5 -c "$jar" "$base/login")
csrf=$(sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' <<<"$page" | head -1)
[ -n "$csrf" ] || die "no _csrf field on /login"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -b "$jar" -c "$jar" \
  --data-urlencode "_csrf=$csrf" --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" "$base/login")
[ "$code" = 303 ] || die "POST /login answered $code, expected 303"
session=$(awk '$6 == "aims_session" {print $7}' "$jar")
[ -n "$session" ] || die "no aims_session cookie after signing in"

sample_id=$(((loaded + 1) / 2))
auth_h="Authorization: Bearer $token"
cookie_h="Cookie: aims_session=$session"

# name | path | header
endpoints=(
  "GET /healthz|/healthz|"
  "GET /api/v1/systems/$sample_id|/api/v1/systems/$sample_id|$auth_h"
  "GET /api/v1/systems?limit=50|/api/v1/systems?limit=50|$auth_h"
  "GET /systems (HTML, cookie)|/systems|$cookie_h"
  "GET / (dashboard, cookie)|/|$cookie_h"
)

# Every endpoint must answer 200 before it is timed: wrk counts a 303 to /login as a
# success, and a fast redirect is not the page.
for e in "${endpoints[@]}"; do
  IFS='|' read -r name path header <<<"$e"
  args=(-s -o "$work/probe.out" -w '%{http_code}' --max-time 10)
  [ -n "$header" ] && args+=(-H "$header")
  code=$(curl "${args[@]}" "$base$path")
  [ "$code" = 200 ] || die "$name answered $code before the run: $(head -c 300 "$work/probe.out")"
done

# ---------------------------------------------------------------- 3. wrk

to_ms() { # wrk latency "1.23ms" / "850.00us" / "1.20s" -> milliseconds
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.2f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else printf "%s", v }'
}

declare -a r_name r_rps r_p99 r_p50 r_err
i=0
for e in "${endpoints[@]}"; do
  IFS='|' read -r name path header <<<"$e"
  hargs=()
  [ -n "$header" ] && hargs=(-H "$header")
  # warm-up (not recorded), then the measured run
  timeout 30 wrk -t"$WRK_THREADS" -c"$CONNS" -d2s "${hargs[@]}" "$base$path" >/dev/null 2>&1 || true
  out="$work/wrk-$i.txt"
  timeout $((DURATION + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency \
    "${hargs[@]}" "$base$path" >"$out" 2>&1 || die "wrk failed on $name: $(head -c 600 "$out")"
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  sockerr=$(awk '/Socket errors:/ {s = 0; for (k = 4; k <= NF; k += 2) { v = $k; gsub(/,/, "", v); s += v }; print s}' "$out")
  [ -n "$rps" ] || die "no result from wrk on $name: $(head -c 600 "$out")"
  r_name[i]="$name"; r_rps[i]="$rps"; r_p50[i]="$p50"; r_p99[i]="$p99"; r_err[i]=$(( ${non2xx:-0} + ${sockerr:-0} ))
  i=$((i + 1))
done
# Ratio pass: the single-system GET against /healthz, interleaved over RATIO_ROUNDS
# rounds, median of the per-round ratios. Two CPUs shared by wrk and the server make
# a single pair of runs swing by +-20 %; alternating and taking the median does not.
declare -a ratios
IFS='|' read -r _ hpath _ <<<"${endpoints[0]}"
IFS='|' read -r _ gpath gheader <<<"${endpoints[1]}"
for ((round = 0; round < RATIO_ROUNDS; round++)); do
  h=$(timeout $((DURATION + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" "$base$hpath" | awk '/^Requests\/sec:/ {print $2}')
  g=$(timeout $((DURATION + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" -H "$gheader" "$base$gpath" | awk '/^Requests\/sec:/ {print $2}')
  ratios[round]=$(awk -v a="$g" -v b="$h" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')
done
ratio_median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')

# Latency pass: p99 at a load that does not saturate the server. At -c32 on two
# cores a request mostly waits in the queue (Little's law), so the throughput pass
# measures capacity and this pass measures how long one user waits.
declare -a l_p99 l_p50 l_rps
for ((k = 2; k < i; k++)); do
  IFS='|' read -r name path header <<<"${endpoints[k]}"
  hargs=()
  [ -n "$header" ] && hargs=(-H "$header")
  out="$work/wrk-latency-$k.txt"
  timeout $((DURATION + 30)) wrk -t1 -c"$LAT_CONNS" -d"${DURATION}s" --timeout 5s --latency \
    "${hargs[@]}" "$base$path" >"$out" 2>&1 || die "wrk failed on $name: $(head -c 600 "$out")"
  l_rps[k]=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  l_p50[k]=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  l_p99[k]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
done
loaded_rss=$(rss_kb "$server_pid")

# ---------------------------------------------------------------- 4. report

ceiling="${r_rps[0]}"
echo
echo "aims benchmark: $loaded AI systems, wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s, $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-34s %12s %10s %10s %9s %7s\n' endpoint 'requests/s' 'p50 ms' 'p99 ms' 'ceiling' errors
for ((k = 0; k < i; k++)); do
  ratio=$(awk -v a="${r_rps[k]}" -v b="$ceiling" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
  printf '%-34s %12.0f %10s %10s %9s %7s\n' "${r_name[k]}" "${r_rps[k]}" "${r_p50[k]}" "${r_p99[k]}" "$ratio" "${r_err[k]}"
done
echo "errors: timeouts (wrk --timeout 5s; not in the latency figures), socket errors and non-2xx answers"
echo
echo "latency at $LAT_CONNS concurrent clients (wrk -t1 -c$LAT_CONNS -d${DURATION}s):"
printf '%-34s %12s %10s %10s\n' endpoint 'requests/s' 'p50 ms' 'p99 ms'
for ((k = 2; k < i; k++)); do
  printf '%-34s %12.0f %10s %10s\n' "${r_name[k]}" "${l_rps[k]}" "${l_p50[k]}" "${l_p99[k]}"
done
echo "RSS idle after startup: $(mb "$idle_rss") MB; after the runs: $(mb "$loaded_rss") MB"
echo

verdict() { [ "$1" = 1 ] && echo PASS || echo MISS; }
ok_single=$(awk -v r="$ratio_median" 'BEGIN {print (r >= 0.5) ? 1 : 0}')
ok_list=$(awk -v p="${l_p99[2]}" 'BEGIN {print (p < 20) ? 1 : 0}')
ok_html=$(awk -v p="${l_p99[3]}" 'BEGIN {print (p < 20) ? 1 : 0}')
ok_dash=$(awk -v p="${l_p99[4]}" 'BEGIN {print (p < 20) ? 1 : 0}')
ok_rss=$(awk -v k="$idle_rss" 'BEGIN {print (k < 20 * 1024) ? 1 : 0}')
ok_err=1
for ((k = 0; k < i; k++)); do [ "${r_err[k]}" = 0 ] || ok_err=0; done
echo "targets:"
printf '  %-4s single-system GET >= 0.5 x ceiling   (median %s of %s interleaved rounds: %s)\n' \
  "$(verdict "$ok_single")" "$ratio_median" "$RATIO_ROUNDS" "${ratios[*]}"
printf '  %-4s API list p99 < 20 ms at %s clients    (%s ms)\n' "$(verdict "$ok_list")" "$LAT_CONNS" "${l_p99[2]}"
printf '  %-4s HTML list p99 < 20 ms at %s clients   (%s ms)\n' "$(verdict "$ok_html")" "$LAT_CONNS" "${l_p99[3]}"
printf '  %-4s dashboard p99 < 20 ms at %s clients   (%s ms)\n' "$(verdict "$ok_dash")" "$LAT_CONNS" "${l_p99[4]}"
printf '  %-4s idle RSS < 20 MB                      (%s MB)\n' "$(verdict "$ok_rss")" "$(mb "$idle_rss")"
printf '  %-4s no timeouts, socket errors or non-2xx answers\n' "$(verdict "$ok_err")"

# What the server itself measured (its "ms" per request), to tell server time from
# queueing: the median and the slowest of each route.
echo
echo "server-side time per route (from its request log, ms):"
awk -F'"route":"' 'NF > 1 {
    split($2, a, "\""); route = a[1]
    if (match($0, /"ms":[0-9.e+-]+/)) { v = substr($0, RSTART + 5, RLENGTH - 5) + 0; n[route]++; s[route] += v; if (v > mx[route]) mx[route] = v }
  } END { for (r in n) printf "  %-28s n=%-8d mean=%-8.2f max=%.2f\n", r, n[r], s[r] / n[r], mx[r] }' "$log" | sort

if [ -n "${BENCH_SUMMARY:-}" ]; then
  {
    echo "load_s|$((load_ms / 1000)).$(((load_ms % 1000) / 100))"
    for ((k = 0; k < i; k++)); do echo "rps ${r_name[k]}|${r_rps[k]}"; done
    echo "ratio|$ratio_median"
    for ((k = 2; k < i; k++)); do echo "p99 ${r_name[k]}|${l_p99[k]}"; done
    echo "idle_rss_mb|$(mb "$idle_rss")"
  } >"$BENCH_SUMMARY"
fi

stop_server
