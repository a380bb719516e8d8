#!/usr/bin/env bash
# Throwaway PostgreSQL for the store tests.
#   eval "$(.ci/postgres.sh start)"   installs PostgreSQL from Debian's packages when missing, starts a private
#                                     cluster in a temp dir on 127.0.0.1 and a free port, waits until it accepts
#                                     connections, and prints the export lines (nothing else goes to stdout).
#   .ci/postgres.sh stop              stops that cluster and deletes its directory.
# The cluster trusts local connections and runs without fsync: it is for tests only.
set -euo pipefail

# Always under /tmp: the postgres user must reach the directory, which a private $TMPDIR may not allow.
state_file="/tmp/detaineebot-ci-postgres.dir"
log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  local dir
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return 0; fi
  # Debian keeps the server binaries off PATH, one directory per major version; take the newest.
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  return 1
}

# Runs a command as the cluster's owner: initdb and postgres refuse to run as root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local bin dir port data
  if ! bin=$(find_bin); then
    log "initdb not found: installing postgresql from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends postgresql >&2
    bin=$(find_bin) || { log "postgresql installed but initdb is still missing"; exit 1; }
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi

  dir=$(mktemp -d /tmp/detaineebot-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  data="$dir/data"
  as_owner "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || as_owner "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { log "initdb failed:"; cat "$dir/initdb.log" >&2; exit 1; }
  echo "$dir" >"$state_file"

  # Try free ports from 55432 up; another cluster may grab one between the check and the start, so retry.
  for port in $(seq 55432 55531); do
    port_in_use "$port" && continue
    if as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
         -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
         start >&2; then
      break
    fi
    log "start on port $port failed; trying the next one"
    port=""
  done
  [ -n "${port:-}" ] || { log "no free port in 55432-55531"; tail -n 20 "$dir/server.log" >&2 || true; exit 1; }

  # pg_ctl -w already waited; make sure TCP answers too, for at most 30 s.
  for _ in $(seq 1 60); do
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
      log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$port (data in $dir)"
      echo "export DETAINEEBOT_TEST_POSTGRES=\"Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres\""
      echo "export DETAINEEBOT_PG_DIR=\"$dir\""
      echo "# stop with: bash .ci/postgres.sh stop   (runs: $bin/pg_ctl -D $data -m fast stop)"
      return 0
    fi
    sleep 0.5
  done
  log "PostgreSQL did not accept connections within 30 s"; tail -n 20 "$dir/server.log" >&2 || true
  exit 1
}

stop() {
  local dir bin
  dir="${DETAINEEBOT_PG_DIR:-$(cat "$state_file" 2>/dev/null || true)}"
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then log "no cluster to stop"; return 0; fi
  if bin=$(find_bin) && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || log "pg_ctl stop failed"
  fi
  rm -rf "$dir"
  if [ "$(cat "$state_file" 2>/dev/null || true)" = "$dir" ]; then rm -f "$state_file"; fi
  log "stopped and removed $dir"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
