#!/usr/bin/env bash
# run-all.sh: every test suite of `make check`, in order, each also under
# AddressSanitizer + UndefinedBehaviorSanitizer where it runs C code:
#   unit (cmocka) · unit-asan · api (data-driven HTTP cases) · api-asan ·
#   shutdown (graceful stop) and cli (the command line), both under ASan · e2e (browser) ·
#   fair-pandas (aims fair against pandas on random data, under ASan) ·
#   fuzz (libFuzzer on the fairness CSV reader and chunk join, FUZZ_SECONDS, default 25)
# It runs all suites even when one fails, then prints one summary line for all of
# them together, alone on its line: "N passed, N failed". Exit status 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

total_pass=0
total_fail=0
work="$(mktemp -d /tmp/aims-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT

add() { # suite passed failed
  printf '%-10s %s passed, %s failed\n' "$1:" "$2" "$3"
  total_pass=$((total_pass + $2))
  total_fail=$((total_fail + $3))
}

# ASan: fail on leaks too; UBSan: print stacks and stop.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

run_unit() { # suite dir
  local suite="$1" dir="$2" pass=0 fail=0
  for t in "$dir"/test_*; do
    [ -x "$t" ] || continue
    local log="$work/$suite-$(basename "$t").log" status=0
    "$t" >"$log" 2>&1 || status=$?
    local p f
    p=$(grep -oE '\[  PASSED  \] [0-9]+' "$log" | awk '{s += $NF} END {print s + 0}')
    f=$(grep -oE '\[  FAILED  \] [0-9]+' "$log" | awk '{s += $NF} END {print s + 0}')
    # A crash, a sanitizer report or a non-zero exit always counts as a failure.
    if [ "$status" -ne 0 ] || grep -qE 'Sanitizer|runtime error' "$log"; then
      [ "$f" -eq 0 ] && f=1
      echo "  $(basename "$t") failed (exit $status):"
      grep -E 'FAILED|ERROR|runtime error|Sanitizer' "$log" | head -20 | sed 's/^/    /'
    fi
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
  done
  add "$suite" "$pass" "$fail"
}

run_node_suite() { # suite script aims
  local suite="$1" script="$2" aims="$3" dir="$work/$1"
  mkdir -p "$dir"
  node "$script" --aims "$aims" --tmp "$dir" || true
  if [ -f "$dir/result.txt" ]; then
    read -r p f <"$dir/result.txt"
    add "$suite" "$p" "$f"
  else
    echo "  $suite produced no result (crashed?)"
    add "$suite" 0 1
  fi
}

run_fair_pandas() { # aims
  local dir="$work/fair-pandas"
  mkdir -p "$dir"
  /usr/bin/python3 tests/fair/check_pandas.py --aims "$1" --tmp "$dir" | grep -vE '^ok' || true
  if [ -f "$dir/result.txt" ]; then
    read -r p f <"$dir/result.txt"
    add fair-pandas "$p" "$f"
  else
    echo "  fair-pandas produced no result (crashed?)"
    add fair-pandas 0 1
  fi
}

run_fuzz() { # binary seconds
  local dir="$work/fuzz" log="$work/fuzz.log" status=0
  mkdir -p "$dir/corpus"
  cp tests/fuzz/corpus/* "$dir/corpus/"
  local bin="$PWD/$1"
  (cd "$dir" && "$bin" -max_total_time="$2" -max_len=4096 -print_final_stats=1 corpus) >"$log" 2>&1 || status=$?
  if [ "$status" -eq 0 ]; then
    echo "  fuzz: $(grep -oE 'Done [0-9]+ runs' "$log" | tail -1) in $2 s, no crash"
    add fuzz 1 0
  else
    echo "  fuzz_csv failed (exit $status):"
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -10 | sed 's/^/    /'
    add fuzz 0 1
  fi
}

run_unit unit build/tests
run_unit unit-asan build/asan/tests
run_node_suite api tests/api/run.mjs build/aims
run_node_suite api-asan tests/api/run.mjs build/asan/aims
run_node_suite shutdown tests/api/shutdown.mjs build/asan/aims
run_node_suite cli tests/api/cli.mjs build/asan/aims
run_node_suite e2e tests/e2e/run.mjs build/aims
run_fair_pandas build/asan/aims
run_fuzz build/fuzz/fuzz_csv "${FUZZ_SECONDS:-25}"

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
