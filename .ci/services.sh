# Throwaway PostgreSQL 15 and Redis servers on free loopback ports, for one CI run.
# Sourced by .ci/run: start_services exports DATABASE_URL and CACHE_URL; stop_services ends both.

PG_BIN=/usr/lib/postgresql/15/bin

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_services() {
  SERVICES_DIR=$(mktemp -d)
  chown postgres "$SERVICES_DIR"
  local pg_port redis_port
  pg_port=$(free_port)
  redis_port=$(free_port)
  # ICU zh-Hans collation: a real locale, not C, as production would use. No autovacuum: the
  # suite's rows live in transactions that are rolled back, so statistics gathered whenever a
  # table happens to be empty would tell the planner "one row" for the rest of the run.
  runuser -u postgres -- "$PG_BIN/initdb" -D "$SERVICES_DIR/pg" -U postgres --auth=trust \
    -E UTF8 --locale=C.UTF-8 --locale-provider=icu --icu-locale=zh-Hans >/dev/null
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg" -l "$SERVICES_DIR/pg.log" -w \
    -o "-p $pg_port -k $SERVICES_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c autovacuum=off" \
    start >/dev/null
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --maxmemory 256mb --maxmemory-policy allkeys-lru \
    --daemonize yes --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log"
  export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/nanan"
  export CACHE_URL="redis://127.0.0.1:$redis_port/0"
}

stop_services() {
  [ -n "${SERVICES_DIR:-}" ] || return 0
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg" -m fast -w stop >/dev/null 2>&1 || true
  [ -f "$SERVICES_DIR/redis.pid" ] && kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true
  rm -rf "$SERVICES_DIR"
}
