#!/usr/bin/env bash
# Start the local PostgreSQL 15 cluster and make sure the test role and
# database exist. Meant for CI and dev machines (Debian 12, run as root).
#
# Idempotent: safe to run any number of times. Everything it logs goes to
# stderr; the only thing printed on stdout is the connection URL, so callers
# can do:  DATABASE_URL="$(bash .ci/pg-setup.sh)"
set -euo pipefail

PG_VERSION=15
PG_CLUSTER=main
PG_PORT=5432
DB_USER=shouhu
DB_PASSWORD=shouhu
DB_NAME=shouhu_test
DB_URL="postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${PG_PORT}/${DB_NAME}"

# Keep the real stdout on fd 3 for the final URL; everything else -> stderr.
exec 3>&1 1>&2

log() { printf 'pg-setup: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "must run as root"
    exit 1
fi

# 1. Make sure the server package is there.
if ! dpkg-query -W -f='${Status}' "postgresql-${PG_VERSION}" 2>/dev/null | grep -q 'install ok installed'; then
    log "installing postgresql-${PG_VERSION}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "postgresql-${PG_VERSION}" "postgresql-client-${PG_VERSION}"
fi

# The package normally creates the cluster; recreate it if it is missing.
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
    log "creating cluster ${PG_VERSION}/${PG_CLUSTER}"
    pg_createcluster --port "$PG_PORT" "$PG_VERSION" "$PG_CLUSTER"
fi

# The socket directory lives on a tmpfs on some machines.
install -d -o postgres -g postgres -m 2775 /var/run/postgresql

# 2. Start the cluster unless it is already running.
if pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; then
    log "cluster ${PG_VERSION}/${PG_CLUSTER} already running"
else
    log "starting cluster ${PG_VERSION}/${PG_CLUSTER}"
    # The server must not inherit fd 3: it would hold the caller's pipe open
    # and a `$(bash .ci/pg-setup.sh)` would wait for it forever.
    if ! out="$(pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start 2>&1 3>&- </dev/null)"; then
        if printf '%s' "$out" | grep -qi 'already running' \
            || pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; then
            log "cluster already running"
        else
            printf '%s\n' "$out" >&2
            log "failed to start the cluster; last lines of its log:"
            tail -n 30 "/var/log/postgresql/postgresql-${PG_VERSION}-${PG_CLUSTER}.log" >&2 || true
            exit 1
        fi
    elif [ -n "$out" ]; then
        printf '%s\n' "$out" >&2
    fi
fi

# 3. Wait (at most ~30 s) until it accepts connections.
ready=0
for _ in $(seq 1 30); do
    if pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
        ready=1
        break
    fi
    sleep 1
done
if [ "$ready" -ne 1 ]; then
    log "PostgreSQL did not become ready on 127.0.0.1:${PG_PORT} within 30 s"
    pg_lsclusters >&2 || true
    tail -n 30 "/var/log/postgresql/postgresql-${PG_VERSION}-${PG_CLUSTER}.log" >&2 || true
    exit 1
fi
log "PostgreSQL is ready on 127.0.0.1:${PG_PORT}"

# 4. Role and database, as the postgres superuser over the local socket.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }
psql_su() { as_postgres psql -X -v ON_ERROR_STOP=1 -q -p "$PG_PORT" "$@"; }

if [ "$(psql_su -tAc "SELECT 1 FROM pg_roles WHERE rolname = '${DB_USER}'")" = "1" ]; then
    log "role ${DB_USER} exists; resetting its password and attributes"
    psql_su -c "ALTER ROLE ${DB_USER} WITH LOGIN CREATEDB PASSWORD '${DB_PASSWORD}'"
else
    log "creating role ${DB_USER}"
    psql_su -c "CREATE ROLE ${DB_USER} WITH LOGIN CREATEDB PASSWORD '${DB_PASSWORD}'"
fi

if [ "$(psql_su -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")" = "1" ]; then
    log "database ${DB_NAME} exists"
    psql_su -c "ALTER DATABASE ${DB_NAME} OWNER TO ${DB_USER}"
else
    log "creating database ${DB_NAME}"
    psql_su -c "CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}"
fi

# 5. The one line on stdout.
printf '%s\n' "$DB_URL" >&3
