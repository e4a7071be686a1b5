#!/usr/bin/env bash
# install-deps.sh: installs every Debian package aims needs to build, run, test and
# benchmark, and the npm packages of the browser test. Idempotent: it runs
# `apt-get update` and `apt-get install` only when something is missing, so the
# second `make run` or `make check` starts at once.
set -euo pipefail

packages=(
  build-essential pkg-config            # compiler, make, flags of the libraries below
  libmicrohttpd-dev                     # HTTP server
  libsqlite3-dev sqlite3                # embedded store (and its shell for operators)
  libpq-dev                             # PostgreSQL client library (the pg backend)
  postgresql                            # server for the tests on PostgreSQL (make check starts its own)
  libjansson-dev                        # JSON
  libsodium-dev                         # argon2id, random, constant-time compare
  libssl-dev                            # SHA-256 (libcrypto)
  libcsv-dev                            # RFC 4180 CSV import
  libxlsxwriter-dev                     # XLSX reports (Statement of Applicability export)
  libcmocka-dev                         # unit tests
  python3 python3-openpyxl              # reading exported XLSX back in the tests
  curl jq                               # API smoke tests and scripts
  wrk                                   # HTTP benchmarks (make bench)
  chromium                              # browser test (playwright-core drives it)
  fonts-noto-cjk                        # Korean text in the browser and reports
  clang                                 # libFuzzer target of the fairness CSV reader (make check)
  python3-pandas                        # fairness metrics checked against pandas (make check, make bench)
  python3-jsonschema                    # aims fair --json checked against docs/fair-schema.json (make check)
  time                                  # peak memory of the fairness benchmark (/usr/bin/time)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Node.js may come from Debian or from another packaging of node that already brings
# npm (and conflicts with Debian's npm package): install Debian's only when absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Wait for the package lock instead of failing when another install holds it.
  lock=(-o DPkg::Lock::Timeout=600)
  $SUDO apt-get "${lock[@]}" update -qq
  $SUDO apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The browser test's npm packages (playwright-core only; it uses Debian's chromium).
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ -f "$here/tests/e2e/package.json" ] && [ ! -d "$here/tests/e2e/node_modules/playwright-core" ]; then
  echo "install-deps: npm ci in tests/e2e"
  (cd "$here/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
