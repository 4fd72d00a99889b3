#!/usr/bin/env bash
# Installs what hvrwasmagent needs on Debian, only what is missing:
#   unixODBC + the SQLite and PostgreSQL ODBC drivers, sqlite3, the wasm32-wasip2 target.
# With --postgres it also makes sure a local PostgreSQL server runs (for the tests and bench).
set -euo pipefail

want_postgres=false
[[ "${1:-}" == "--postgres" ]] && want_postgres=true

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

packages=(unixodbc unixodbc-dev odbc-postgresql libsqliteodbc sqlite3)
$want_postgres && packages+=(postgresql postgresql-client)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
    echo "setup: adding the wasm32-wasip2 Rust target"
    rustup target add wasm32-wasip2
fi

if $want_postgres; then
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        echo "setup: starting PostgreSQL"
        as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
        for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
    fi
    pg_isready -h 127.0.0.1 -p 5432 >/dev/null || { echo "setup: PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
fi
