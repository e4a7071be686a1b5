#!/usr/bin/env bash
# fair.sh: the fairness-engine benchmark (`make bench` runs it after run.sh; alone:
# `make bench-fair`).
#
#   bash tests/bench/fair.sh build/aims
#
# 1. builds the helpers (cc -O2): fair_gen (seeded data), fair_floor (mmap + memchr
#    line count on one core: the machine's floor), fair_libcsv (libcsv parse only);
# 2. writes a CSV of FAIR_BENCH_ROWS (default 10,000,000) predictions: 7 columns,
#    80 intersection groups, quoted values with commas, Hangul, 4-decimal scores;
# 3. with the file in the page cache, times in FAIR_BENCH_RUNS rounds (default 5),
#    each contender once per round, in turn, and keeps each one's best round:
#      floor   fair_floor FILE
#      libcsv  fair_libcsv FILE
#      aims    aims fair --sensitive sex,age_band,region --score score --json
#    and aims' peak resident memory (/usr/bin/time %M);
# 4. times pandas once (tests/bench/fair_pandas.py: read_csv + groupby, the same
#    metrics, ROC AUC from ranks) and checks that it agrees with aims' JSON;
# 5. prints the times, the ratios and the targets with PASS or MISS:
#      aims >= 50 x faster than pandas; aims >= 0.5 x the floor's speed; RSS < 64 MB.
#
# Exit status: 0 when it ran (missed targets are reported, not fatal), 1 when it could
# not run or pandas disagrees with aims, 2 for a usage error. FAIR_BENCH_KEEP=1 keeps
# the temporary directory; FAIR_BENCH_PANDAS=0 skips pandas.
set -euo pipefail

AIMS="${1:-}"
if [ -z "$AIMS" ] || [ ! -x "$AIMS" ]; then
  echo "usage: bash tests/bench/fair.sh PATH-TO-aims" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
ROWS="${FAIR_BENCH_ROWS:-10000000}"
RUNS="${FAIR_BENCH_RUNS:-5}"
work="$(mktemp -d /tmp/aims-fair-bench.XXXXXX)"
cleanup() { if [ "${FAIR_BENCH_KEEP:-0}" = 1 ]; then echo "fair-bench: kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
die() { echo "fair-bench: $*" >&2; exit 1; }
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (make deps installs it)"

cc -O2 -o "$work/fair_gen" "$here/fair_gen.c"
cc -O2 -o "$work/fair_floor" "$here/fair_floor.c"
cc -O2 -o "$work/fair_libcsv" "$here/fair_libcsv.c" -lcsv

csv="$work/preds.csv"
echo "fair-bench: machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "fair-bench: writing $ROWS rows (seed 1)"
"$work/fair_gen" "$ROWS" 1 >"$csv"
bytes=$(stat -c %s "$csv")
cat "$csv" >/dev/null # into the page cache, so every contender reads from memory
echo "fair-bench: $(awk -v b="$bytes" 'BEGIN {printf "%.0f", b / 1048576}') MiB"

# run NAME CMD...: one timed run; its wall time in seconds (from bash's microsecond
# clock, around /usr/bin/time, which only reports 10 ms steps) is appended to
# $work/NAME.times and its peak RSS (KB) kept in $work/NAME.rss when larger.
run() {
  local name="$1" t0 t1 m
  shift
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$work/$name.mem" "$@" >"$work/$name.out" 2>"$work/$name.err" \
    || die "$name failed: $(head -c 400 "$work/$name.err")"
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f\n", b - a}' >>"$work/$name.times"
  read -r m <"$work/$name.mem"
  if [ ! -s "$work/$name.rss" ] || ((m > $(cat "$work/$name.rss"))); then echo "$m" >"$work/$name.rss"; fi
}
best() { sort -g "$work/$1.times" | head -n 1; }

# Rounds: every contender once per round, in turn, so that a host busy for a
# while slows all of them alike; each contender's best round counts.
fair_args=(fair --data "$csv" --y-true y_true --y-pred y_pred --sensitive sex,age_band,region --score score --json)
for ((i = 0; i < RUNS; i++)); do
  run floor "$work/fair_floor" "$csv"
  run aims "$AIMS" "${fair_args[@]}"
  run aims1 "$AIMS" "${fair_args[@]}" --threads 1
  run libcsv "$work/fair_libcsv" "$csv"
done
floor=$(best floor)
libcsv=$(best libcsv)
ours=$(best aims)
ours1=$(best aims1)
cp "$work/aims.out" "$work/report.json"
rss_kb=$(cat "$work/aims.rss")
# The floor's time over aims' in each round: how much the best-of ratio depends on luck.
round_ratios=$(paste "$work/floor.times" "$work/aims.times" | awk '{r = $1 / $2; if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r} END {printf "%.2f-%.2f", lo, hi}')

pandas=""
if [ "${FAIR_BENCH_PANDAS:-1}" != 0 ]; then
  /usr/bin/python3 "$here/fair_pandas.py" "$csv" "$work/report.json" >"$work/pandas.out" 2>&1 \
    || die "pandas disagrees with aims (or failed): $(tail -c 600 "$work/pandas.out")"
  pandas=$(awk '/^pandas_seconds/ {print $2}' "$work/pandas.out")
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
mbps() { awk -v s="$1" -v b="$bytes" 'BEGIN {printf "%.0f", (s > 0 ? b / 1048576 / s : 0)}'; }
echo
echo "aims fair benchmark: $ROWS rows, $(nproc) CPUs, best of $RUNS rounds, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-44s %9s %9s %10s\n' contender seconds 'MiB/s' 'aims is'
printf '%-44s %9s %9s %10s\n' "floor: mmap + memchr, 1 core" "$floor" "$(mbps "$floor")" "$(ratio "$floor" "$ours")x"
printf '%-44s %9s %9s %10s\n' "libcsv: parse only, 1 core" "$libcsv" "$(mbps "$libcsv")" "$(ratio "$libcsv" "$ours")x"
printf '%-44s %9s %9s %10s\n' "aims fair, 1 thread" "$ours1" "$(mbps "$ours1")" ""
printf '%-44s %9s %9s %10s\n' "aims fair, all CPUs" "$ours" "$(mbps "$ours")" "1.00x"
[ -n "$pandas" ] && printf '%-44s %9s %9s %10s\n' "pandas $(/usr/bin/python3 -c 'import pandas; print(pandas.__version__)'): read_csv + groupby" \
  "$pandas" "$(mbps "$pandas")" "$(ratio "$pandas" "$ours")x"
[ -n "$pandas" ] && echo "pandas agreement: $(grep '^checked' "$work/pandas.out")"
echo "aims peak RSS: $(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}') MB"
echo
verdict() { awk -v c="$1" 'BEGIN {print c ? "PASS" : "MISS"}'; }
echo "targets:"
if [ -n "$pandas" ]; then
  printf '  %-4s aims >= 50 x faster than pandas       (%sx)\n' \
    "$(verdict "$(awk -v p="$pandas" -v o="$ours" 'BEGIN {print (p / o >= 50)}')")" "$(ratio "$pandas" "$ours")"
fi
printf '  %-4s aims >= 0.5 x the floor speed          (%s)\n' \
  "$(verdict "$(awk -v f="$floor" -v o="$ours" 'BEGIN {print (f / o >= 0.5)}')")" "$(ratio "$floor" "$ours"); rounds $round_ratios"
printf '  %-4s aims peak RSS < 64 MB                  (%s MB)\n' \
  "$(verdict "$(awk -v k="$rss_kb" 'BEGIN {print (k < 65536)}')")" "$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}')"
