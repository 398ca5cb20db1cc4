#!/usr/bin/python3
"""The change feed's background worker and its wake-up: a cluster started with
shared_preload_libraries = 'ledger', ledger.feed_databases = 'postgres' and
ledger.feed_interval = 50ms (scripts/test passes them to scripts/with-cluster). No test calls
feed_tick(): the worker does. A consumer LISTENs to ledger_feed and waits, with a bound, for the
worker's NOTIFY; a transaction held open meanwhile delays only its own transfer; the worker
starts before the extension exists and keeps running through its creation and a reload;
feed_tick() stays callable beside it. Prints TAP.
"""

import select
import sys
import time

import psycopg2

WAIT_SECONDS = 20  # the bound on any wait for the worker; it ticks every 50 ms


def connect():
    conn = psycopg2.connect("")
    conn.autocommit = True
    return conn


def worker_pid(cur):
    cur.execute("SELECT pid FROM pg_stat_activity WHERE backend_type = 'ledger feed worker' "
                "AND datname = 'postgres'")
    row = cur.fetchone()
    return row[0] if row else None


def wait_for_notification(conn, at_least):
    """The payload of the first ledger_feed notification with a position >= at_least."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if select.select([conn], [], [], max(0.0, deadline - time.monotonic())) == ([], [], []):
            break
        conn.poll()
        while conn.notifies:
            note = conn.notifies.pop(0)
            if note.channel == "ledger_feed" and int(note.payload) >= at_least:
                return int(note.payload)
    return None


def main():
    results = []
    conn = connect()
    cur = conn.cursor()
    pid_before = worker_pid(cur)
    results.append((f"the worker runs in its database before the extension exists (pid {pid_before})",
                    pid_before is not None))

    cur.execute("CREATE EXTENSION ledger")
    cur.execute("SELECT ledger.create_account('a', 'USD'), ledger.create_account('b', 'USD'), "
                "ledger.create_account('c', 'USD')")
    a, b, c = cur.fetchone()
    listener = connect()
    listener.cursor().execute("LISTEN ledger_feed")
    cur.execute("SELECT ledger.deposit(%s, '100.00 USD', 'first')", (a,))
    first = cur.fetchone()[0]
    payload = wait_for_notification(listener, 1)
    cur.execute("SELECT position, transfer_id FROM ledger.changes()")
    results.append((f"the worker sequenced a deposit and notified ledger_feed (payload {payload})",
                    payload == 1 and cur.fetchall() == [(1, first)]))

    # A transaction held open: the worker sequences the later transfer without waiting for it.
    holder = connect()
    hcur = holder.cursor()
    hcur.execute("BEGIN")
    hcur.execute("SELECT ledger.transfer(%s, %s, '1.00 USD', 'held')", (a, b))
    held = hcur.fetchone()[0]
    cur.execute("SELECT ledger.deposit(%s, '2.00 USD', 'free')", (c,))
    payload = wait_for_notification(listener, 2)
    results.append((f"a transfer committed while another transaction stays open is sequenced "
                     f"without waiting for it (notified {payload})", payload == 2))
    hcur.execute("COMMIT")
    payload = wait_for_notification(listener, 3)
    cur.execute("SELECT idempotency_key FROM ledger.changes(1) ORDER BY position")
    keys = [row[0] for row in cur.fetchall()]
    results.append((f"transfers committed later get later positions ({keys}, notified {payload})",
                    payload == 3 and keys == ["free", "held"] and held is not None))

    # feed_tick() beside the worker, and the worker's pid unchanged by a reload.
    cur.execute("ALTER SYSTEM SET ledger.feed_interval = '30ms'")
    cur.execute("SELECT pg_reload_conf()")
    cur.execute("SELECT ledger.deposit(%s, '5.00 USD', 'after-reload')", (b,))
    cur.execute("SELECT ledger.feed_tick()")
    last = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM ledger.verify()")
    violations = cur.fetchone()[0]
    results.append((f"feed_tick() works beside the worker ({last}), verify() is empty "
                    f"({violations})", last == 4 and violations == 0))
    cur.execute("ALTER SYSTEM RESET ledger.feed_interval")
    cur.execute("SELECT pg_reload_conf()")
    pid_after = worker_pid(cur)
    results.append((f"the worker kept running: the extension's absence at start and a reload "
                    f"did not restart it (pid {pid_before}, then {pid_after})",
                    pid_after == pid_before))
    for conn_ in (holder, listener, conn):
        conn_.close()

    print(f"1..{len(results)}")
    for number, (description, ok) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {number} - {description}")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
