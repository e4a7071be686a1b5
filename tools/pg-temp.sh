#!/usr/bin/env bash
# pg-temp.sh: a throw-away PostgreSQL cluster for the tests and benchmarks.
#
#   tools/pg-temp.sh start DIR   initdb into DIR/data, start on a free 127.0.0.1 port
#                                and a Unix socket in DIR; writes DIR/env with
#                                PGHOST, PGPORT and AIMS_PG_BASE (a URL base to which
#                                a database name is appended)
#   tools/pg-temp.sh createdb DIR NAME   a fresh, empty database (collate C, ctype
#                                C.UTF-8); prints its URL
#   tools/pg-temp.sh stop DIR    fast shutdown and removal of DIR
#
# DIR must not exist yet or be empty. The cluster runs as the "postgres" user when
# started by root (initdb refuses root), trusts local connections, and trades
# durability for speed (fsync off): it holds test data only.
set -euo pipefail

bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$d" ] && [ -x "$d/initdb" ] || { echo "pg-temp: no PostgreSQL server found (apt-get install postgresql)" >&2; exit 1; }
  echo "$d"
}

as_owner() { # run a server binary as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pg-temp.sh start|createdb|stop DIR [NAME]" >&2; exit 2; }

case "$cmd" in
start)
  bin="$(bindir)"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  port="$(free_port)"
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
EOF
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  cat >"$dir/env" <<EOF
PGHOST=$dir
PGPORT=$port
PGUSER=postgres
AIMS_PG_BASE=postgresql://postgres@/?host=$dir&port=$port&dbname=
EOF
  ;;
createdb)
  name="${3:?database name}"
  # shellcheck disable=SC1091
  . "$dir/env"
  # Byte order like SQLite (collate C), but the character classes and case folding
  # of a UTF-8 locale, as a production cluster has: a search on a column that is not
  # COLLATE "C" then folds 'É' to 'é', and the tests see it (migrations/pg/0008).
  "$(bindir)/createdb" -h "$PGHOST" -p "$PGPORT" -U postgres --template=template0 \
    --lc-collate=C --lc-ctype=C.UTF-8 "$name"
  echo "postgresql://postgres@/$name?host=$PGHOST&port=$PGPORT"
  ;;
stop)
  if [ -d "$dir/data" ]; then
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: pg-temp.sh start|createdb|stop DIR [NAME]" >&2; exit 2 ;;
esac
