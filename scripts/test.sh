#!/usr/bin/env bash
# Runs every test: unit tests of host and SDK, and the end-to-end suite that drives the real
# binary against SQLite, PostgreSQL and MariaDB with files in local directories, S3 (moto) and
# Azure Blob (Azurite). Installs and starts what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --servers
# The suite connects as PostgreSQL's superuser over loopback; override with HVR_E2E_POSTGRES.
cargo test --workspace --locked --features hvrwasm-host/test-hooks "$@"
