#!/usr/bin/env bash
# The change feed on a streaming standby: a primary and a standby made with pg_basebackup, which
# streams over loopback TCP (127.0.0.1, ports free when the test starts); the test's own queries
# use Unix sockets in a temporary directory. Both belong to the postgres user and are stopped
# when the test ends (also when it fails). changes() on the standby returns a prefix of the primary's
# feed while the primary keeps writing, and the whole feed once it has replayed; a tick there is
# refused (read-only); after promotion, ticks continue from the last position. Prints TAP.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
dir=$(mktemp -d -t ledger-standby.XXXXXX)
chown postgres: "$dir"
as_postgres() { runuser -u postgres -- "$@"; }
stop_all() {
    for node in primary standby; do
        if [ -f "$dir/$node/postmaster.pid" ]; then
            as_postgres "$PG_BIN/pg_ctl" -D "$dir/$node" -m immediate -w stop >/dev/null 2>&1 || true
        fi
    done
    rm -rf "$dir"
}
trap stop_all EXIT

start() {  # node
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/$1" -l "$dir/$1.log" -w \
        -o "-c listen_addresses=127.0.0.1 -c unix_socket_directories='$dir' -c port=$(port_of "$1") -c fsync=off" \
        start >/dev/null || { cat "$dir/$1.log"; exit 1; }
}
# Two ports free on 127.0.0.1 now (the kernel picks them; both sockets are open at once, so they
# differ).
read -r primary_port standby_port < <(/usr/bin/python3 -c '
import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])')
port_of() { if [ "$1" = primary ]; then echo "$primary_port"; else echo "$standby_port"; fi; }
sql() {  # node, query
    psql -qXAt -v ON_ERROR_STOP=1 -h "$dir" -p "$(port_of "$1")" -U postgres -d postgres -c "$2"
}
check() {  # description, condition
    if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fi
}
# Waits until the standby has replayed everything the primary has written so far.
catch_up() {
    local target
    target=$(sql primary "SELECT pg_current_wal_lsn()")
    for _ in $(seq 1 600); do
        if [ "$(sql standby "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ]; then
            return 0
        fi
        sleep 0.1  # polling a condition, bounded; not a wait for a race
    done
    echo "# the standby did not replay up to $target"
    return 1
}
feed_of() { sql "$1" "SELECT string_agg(position || ':' || transfer_id, ',' ORDER BY position) FROM ledger.changes(0, 1000000)"; }

echo "1..6"
as_postgres "$PG_BIN/initdb" -D "$dir/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
start primary
sql primary "CREATE EXTENSION ledger" >/dev/null
sql primary "SELECT ledger.create_account('a', 'USD'), ledger.create_account('b', 'USD')" >/dev/null
sql primary "SELECT ledger.deposit(1 + 1, '1000.00 USD')" >/dev/null
sql primary "SELECT ledger.feed_tick()" >/dev/null
as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/standby" -R -X stream
start standby

# The primary writes and ticks while the standby replays: what the standby shows is a prefix.
prefixes=0
for round in $(seq 1 20); do
    sql primary "SELECT ledger.transfer(2, 3, '1.00 USD', 'round-$round')" >/dev/null
    sql primary "SELECT ledger.feed_tick()" >/dev/null
    standby_feed=$(feed_of standby)
    primary_feed=$(feed_of primary)
    if [ -n "$standby_feed" ] && [[ "$primary_feed,"  == "$standby_feed,"* ]]; then
        prefixes=$((prefixes + 1))
    else
        echo "# round $round: standby $standby_feed, primary $primary_feed"
    fi
done
check "changes() on the standby returned a prefix of the primary's feed every time ($prefixes of 20)" \
    '[ "$prefixes" -eq 20 ]'
catch_up
check "once replayed, the standby's feed is the primary's" '[ "$(feed_of standby)" = "$(feed_of primary)" ]'
refusal=$(psql -qXAt -h "$dir" -p "$standby_port" -U postgres -d postgres -c '\set VERBOSITY verbose' \
              -c "SELECT ledger.feed_tick()" 2>&1 || true)
check "a tick on the standby is refused as read-only (25006)" '[[ "$refusal" == *"25006: the feed is sequenced only in a read-write transaction on the primary"* ]]'

last=$(sql primary "SELECT last_position FROM ledger.feed_state")
sql primary "SELECT ledger.transfer(2, 3, '2.00 USD', 'unticked')" >/dev/null
catch_up
as_postgres "$PG_BIN/pg_ctl" -D "$dir/primary" -m fast -w stop >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$dir/standby" -w promote >/dev/null
sql standby "SELECT ledger.transfer(3, 2, '3.00 USD', 'after-promotion')" >/dev/null
after=$(sql standby "SELECT ledger.feed_tick()")
check "after promotion the first tick continues from the last position ($last, then $after)" \
    '[ "$after" -eq $((last + 2)) ]'
order=$(sql standby "SELECT string_agg(idempotency_key, ',' ORDER BY position) FROM ledger.changes($last)")
check "the transfer the old primary never ticked and the first one after promotion follow it, in order ($order)" \
    '[ "$order" = "unticked,after-promotion" ]'
check "the promoted ledger verifies" '[ "$(sql standby "SELECT count(*) FROM ledger.verify()")" = 0 ]'
