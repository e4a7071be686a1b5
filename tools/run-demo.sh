#!/usr/bin/env bash
# run-demo.sh AIMS DB LISTEN: what `make run` does after building. The first time it
# creates the demo database (a fictional Korean city, demo/city.json) and prints the
# admin login once; later runs keep the database and say how to reset it.
set -euo pipefail
aims="$1" db="$2" listen="$3"
email="admin@hanbit.example"
mkdir -p "$(dirname "$db")"
if [ ! -f "$db" ]; then
  echo "Creating the demo database $db ..."
  "$aims" init --db "$db" --org-name "한빛특별시" --admin-email "$email" --demo demo/city.json
  echo
  echo "Sign in at http://$listen/ with the e-mail and password above."
  echo "(The other demo users, e.g. officer@hanbit.example, share the same password.)"
else
  echo "Keeping the demo database $db (sign in as $email)."
  echo "  Forgot the password?  $aims user passwd --db $db --email $email --password-stdin"
  echo "  Start from scratch:   rm $db* && make run"
fi
echo
echo "Serving on http://$listen/  (Ctrl-C stops)"
exec "$aims" serve --db "$db" --listen "$listen"
