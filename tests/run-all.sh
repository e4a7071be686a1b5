#!/usr/bin/env bash
# run-all.sh: every test suite of `make check`, in order, each also under
# AddressSanitizer + UndefinedBehaviorSanitizer where it runs C code:
#   unit (cmocka) · unit-asan · api (data-driven HTTP cases) · api-asan ·
#   shutdown (graceful stop) and cli (the command line), both under ASan ·
#   multi (two servers, one SQLite file) ·
#   catalog (`aims catalog check` on the built-in and on-disk catalogs, under ASan) ·
#   soa-xlsx (`aims soa export` and `aims assessment export` read back with openpyxl,
#   under ASan) · e2e (browser) ·
#   fair-pandas (aims fair against pandas on random data, under ASan) ·
#   fair-schema (every aims fair --json report against docs/fair-schema.json with
#   python3-jsonschema, under ASan) ·
#   fuzz (libFuzzer on the fairness CSV reader and chunk join, FUZZ_SECONDS, default 25) ·
#   then on a throw-away PostgreSQL cluster of its own (tools/pg-temp.sh), each suite
#   in a fresh database: unit-pg and unit-pg-asan (the store conformance tests),
#   api-pg and api-pg-asan (every API case), multi-pg (two servers, one database)
#   and copy-pg (aims db copy SQLite → PostgreSQL).
# It runs all suites even when one fails, then prints one summary line for all of
# them together, alone on its line: "N passed, N failed". Exit status 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

total_pass=0
total_fail=0
work="$(mktemp -d /tmp/aims-check.XXXXXX)"
pg_dir="$(mktemp -d /tmp/aims-pg.XXXXXX)"
# The cluster is stopped and removed at exit, also when a suite fails or crashes.
cleanup() { bash tools/pg-temp.sh stop "$pg_dir"; rm -rf "$work"; }
trap cleanup EXIT

seen=" "
add() { # suite passed failed
  seen+="$1 "
  printf '%-10s %s passed, %s failed\n' "$1:" "$2" "$3"
  total_pass=$((total_pass + $2))
  total_fail=$((total_fail + $3))
}

# ASan: fail on leaks too; UBSan: print stacks and stop.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

unit_pass=0
unit_fail=0
run_cmocka() { # suite binary: adds to unit_pass / unit_fail
  local suite="$1" t="$2"
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
  unit_pass=$((unit_pass + ${p:-0})); unit_fail=$((unit_fail + ${f:-0}))
}

run_unit() { # suite dir
  unit_pass=0; unit_fail=0
  for t in "$2"/test_*; do
    [ -x "$t" ] && run_cmocka "$1" "$t"
  done
  add "$1" "$unit_pass" "$unit_fail"
}

run_node_suite() { # suite script aims [extra arguments...]
  local suite="$1" script="$2" aims="$3" dir="$work/$1"
  shift 3
  mkdir -p "$dir"
  node "$script" --aims "$aims" --tmp "$dir" "$@" || true
  if [ -f "$dir/result.txt" ]; then
    read -r p f <"$dir/result.txt"
    add "$suite" "$p" "$f"
  else
    echo "  $suite produced no result (crashed?)"
    add "$suite" 0 1
  fi
}

# The framework library: the built-in copy and catalogs/ on disk must both pass
# `aims catalog check`, the browsing commands must work, and a broken copy must fail
# with FILE:LINE: ID messages.
run_catalog_suite() { # aims
  local aims="$1" pass=0 fail=0 dir="$work/catalog" out
  expect() { # name status command...
    local name="$1" want="$2"; shift 2
    local status=0
    out=$("$@" 2>&1) || status=$?
    if [ "$status" -eq "$want" ] && ! grep -qE 'Sanitizer|runtime error' <<<"$out"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1)); echo "  catalog: $name failed (exit $status):"; head -20 <<<"$out" | sed 's/^/    /'
    fi
  }
  expect "check (built-in)" 0 "$aims" catalog check
  expect "check --dir catalogs" 0 "$aims" catalog check --dir catalogs
  expect "list" 0 "$aims" catalog list --format json
  expect "show" 0 "$aims" catalog show iso-iec-42001-2023 --requirement A.6.2.8
  mkdir -p "$dir" && cp -r catalogs/. "$dir/"
  sed -i '0,/"id": "A.2.3"/s//"id": "A.2.2"/' "$dir/iso-iec-42001-2023.json"
  expect "check on a broken copy fails" 1 "$aims" catalog check --dir "$dir"
  if grep -qE "^$dir/iso-iec-42001-2023.json:[0-9]+: A.2.2: duplicate requirement id" <<<"$out"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "  catalog: broken copy message lacks FILE:LINE: ID:"; head -5 <<<"$out" | sed 's/^/    /'
  fi
  add catalog "$pass" "$fail"
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

run_fair_schema() { # aims
  local dir="$work/fair-schema"
  mkdir -p "$dir"
  /usr/bin/python3 tests/fair/check_schema.py --aims "$1" --tmp "$dir" || true
  if [ -f "$dir/result.txt" ]; then
    read -r p f <"$dir/result.txt"
    add fair-schema "$p" "$f"
  else
    echo "  fair-schema produced no result (crashed? is python3-jsonschema installed?)"
    add fair-schema 0 1
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

# The SoA and assessment workbooks: set with the CLI, exported, read back with openpyxl.
run_soa_xlsx_suite() { # aims
  local aims="$1" dir="$work/soa-xlsx" pass=0 fail=0 out
  mkdir -p "$dir"
  step() { # name command...
    local name="$1"; shift
    if out=$("$@" 2>&1) && ! grep -qE 'Sanitizer|runtime error' <<<"$out"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1)); echo "  soa-xlsx: $name failed:"; head -20 <<<"$out" | sed 's/^/    /'
    fi
  }
  step "init" bash -c "echo 'xlsx-test-pass-1234' | '$aims' init --db '$dir/t.db' --admin-email admin@xlsx.test --password-stdin"
  step "set A.6.2.8" "$aims" soa set --db "$dir/t.db" --as admin@xlsx.test --org 1 --control A.6.2.8 --status partial --due-date 2026-12-31
  step "set A.10.4" "$aims" soa set --db "$dir/t.db" --as admin@xlsx.test --org 1 --control A.10.4 --applicable no --justification "=외부 제공 없음"
  step "export" "$aims" soa export --db "$dir/t.db" --as admin@xlsx.test --org 1 --format xlsx --out "$dir/soa.xlsx"
  step "read back" /usr/bin/python3 tests/report/check_soa_xlsx.py "$dir/soa.xlsx"
  # A system's assessment: `aims assessment set` then `aims assessment export`, read back too.
  step "add a system" "$aims" system add --db "$dir/t.db" --as admin@xlsx.test --name "민원 안내 챗봇" --purpose "민원 안내" --stage deployment
  step "choose NIST AI RMF" "$aims" assessment frameworks --db "$dir/t.db" --as admin@xlsx.test --system 1 --set nist-ai-rmf-1.0
  step "assess GOVERN 1.1" "$aims" assessment set --db "$dir/t.db" --as admin@xlsx.test --system 1 --catalog nist-ai-rmf-1.0 --requirement "GOVERN 1.1" --status partial --note "법규 목록 작성 중" --assessed-on 2026-03-02
  step "assess GOVERN 1.2" "$aims" assessment set --db "$dir/t.db" --as admin@xlsx.test --system 1 --catalog nist-ai-rmf-1.0 --requirement "GOVERN 1.2" --status not_met --note '=HYPERLINK("http://evil")'
  step "export assessment" "$aims" assessment export --db "$dir/t.db" --as admin@xlsx.test --system 1 --catalog nist-ai-rmf-1.0 --out "$dir/assessment.xlsx"
  step "read back assessment" /usr/bin/python3 tests/report/check_assessment_xlsx.py "$dir/assessment.xlsx"
  # The risk register: two risks with `aims risk add`, exported with `aims risk list --format xlsx`.
  step "add a risk" "$aims" risk add --db "$dir/t.db" --as admin@xlsx.test --org 1 --system 1 --title "고령 민원인 안내 누락" --source machine_learning --objectives fairness,transparency --likelihood likely --impact major --treatment modify --plan "분기별 점검" --residual-likelihood unlikely --residual-impact moderate --review-date 2020-01-31
  step "add a risk (formula-like title)" "$aims" risk add --db "$dir/t.db" --as admin@xlsx.test --org 1 --title '=HYPERLINK("http://evil")' --likelihood rare --impact minor
  step "export risks" "$aims" risk list --db "$dir/t.db" --as admin@xlsx.test --org 1 --format xlsx --out "$dir/risks.xlsx"
  step "read back risks" /usr/bin/python3 tests/report/check_risk_xlsx.py "$dir/risks.xlsx"
  add soa-xlsx "$pass" "$fail"
}

run_unit unit build/tests
run_unit unit-asan build/asan/tests
run_node_suite api tests/api/run.mjs build/aims
run_node_suite api-asan tests/api/run.mjs build/asan/aims
run_node_suite shutdown tests/api/shutdown.mjs build/asan/aims
run_node_suite cli tests/api/cli.mjs build/asan/aims
run_node_suite multi tests/api/multi.mjs build/aims
run_catalog_suite build/asan/aims
run_soa_xlsx_suite build/asan/aims
run_node_suite e2e tests/e2e/run.mjs build/aims
run_fair_pandas build/asan/aims
run_fair_schema build/asan/aims
run_fuzz build/fuzz/fuzz_csv "${FUZZ_SECONDS:-25}"

# ---- the same on PostgreSQL -------------------------------------------------
pg_url() { bash tools/pg-temp.sh createdb "$pg_dir" "$1"; }
run_pg_suite() { # suite script aims: in a fresh database named after the suite
  local url
  if url="$(pg_url "aims_${1//-/_}")"; then
    run_node_suite "$1" "$2" "$3" --db "$url"
  else
    echo "  $1: could not create its database"
    add "$1" 0 1
  fi
}
if bash tools/pg-temp.sh start "$pg_dir" >"$work/pg-start.log" 2>&1; then
  for build in "" asan; do
    suite="unit-pg${build:+-$build}"
    unit_pass=0; unit_fail=0
    if url="$(pg_url "aims_${suite//-/_}")"; then
      AIMS_TEST_DB_URL="$url" run_cmocka "$suite" "build/${build:+$build/}tests/test_store"
    else
      unit_fail=1
    fi
    add "$suite" "$unit_pass" "$unit_fail"
  done
  run_pg_suite api-pg tests/api/run.mjs build/aims
  run_pg_suite api-pg-asan tests/api/run.mjs build/asan/aims
  run_pg_suite multi-pg tests/api/multi.mjs build/asan/aims
  run_pg_suite copy-pg tests/api/copy.mjs build/asan/aims
else
  echo "  PostgreSQL did not start; every PostgreSQL suite counts as failed:"
  sed 's/^/    /' "$work/pg-start.log" | tail -20
  add postgres 0 1
fi

# A suite that never reported (a function lost in a merge, a typo) is a failure, not
# silence: every suite named here must have called add.
for suite in unit unit-asan api api-asan shutdown cli multi catalog soa-xlsx e2e fair-pandas fair-schema fuzz \
             unit-pg unit-pg-asan api-pg api-pg-asan multi-pg copy-pg; do
  case "$seen" in
    *" $suite "*) ;;
    *" postgres "*) [[ "$suite" == *pg* ]] || { echo "  $suite: never ran"; add "$suite" 0 1; } ;;
    *) echo "  $suite: never ran"; add "$suite" 0 1 ;;
  esac
done

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
