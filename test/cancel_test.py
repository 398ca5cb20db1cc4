#!/usr/bin/python3
"""Cancelled, timed-out and terminated ledger calls leave no partial write.

Each case interrupts a transfer at a known point, found by polling the server's own view of the
victim (waiting for a lock, or sleeping inside an entries trigger that this test adds), never by
sleeping in the test: statement_timeout, pg_cancel_backend and pg_terminate_backend, both while
waiting for an account lock and in the middle of the transfer's writes. Runs inside
scripts/with-cluster; prints TAP.
"""

import sys
import threading
import time

import psycopg2


def connect():
    conn = psycopg2.connect("")
    conn.autocommit = True
    return conn


def scalar(conn, sql, args=()):
    cur = conn.cursor()
    cur.execute(sql, args)
    return cur.fetchone()[0]


def ledger_state(conn):
    return scalar(conn, """SELECT (SELECT count(*) FROM ledger.transfers) || '|'
                                  || (SELECT count(*) FROM ledger.entries) || '|'
                                  || (SELECT string_agg(account_id || '/' || slot || ':' || balance::text
                                                        || ':' || version, ',' ORDER BY account_id, slot)
                                        FROM ledger.balances)""")


def wait_until(conn, sql, args, victim):
    """Polls the server until `sql` is true: explicit synchronisation, bounded. Fails if the
    victim's call ended before it got there."""
    deadline = time.monotonic() + 30
    while not scalar(conn, sql, args):
        if time.monotonic() > deadline or not victim.is_alive():
            raise RuntimeError(f"the victim never reached the expected point ({victim.outcome})")
        time.sleep(0.01)


class Victim(threading.Thread):
    """Runs one transfer on its own connection and keeps the SQLSTATE it ended with."""

    def __init__(self, statement_timeout=None):
        # A daemon, so that a failing case cannot leave the test waiting for it.
        super().__init__(daemon=True)
        self.conn = connect()
        self.pid = self.conn.get_backend_pid()
        self.statement_timeout = statement_timeout
        self.outcome = None

    def run(self):
        try:
            cur = self.conn.cursor()
            if self.statement_timeout:
                cur.execute(f"SET statement_timeout = '{self.statement_timeout}'")
            cur.execute("SELECT ledger.transfer(%s, %s, '5.00 USD')", (ALICE, BOB))
            self.outcome = "completed"
        except psycopg2.Error as error:
            self.outcome = error.pgcode or "connection lost"
        finally:
            self.conn.close()


def run_case(admin, how, where):
    """Interrupts a transfer `how` while it is at `where`; returns (ok, detail)."""
    before = ledger_state(admin)
    holder = None
    if where == "waiting for a lock":
        holder = connect()
        holder.autocommit = False
        holder.cursor().execute("SELECT slot FROM ledger.balances WHERE account_id = %s FOR UPDATE",
                                (ALICE,))
    else:
        admin.cursor().execute("ALTER TABLE ledger.entries ENABLE TRIGGER slow_entries")
    # The timeout leaves ample time to reach the point (milliseconds), and the wait below
    # proves the victim was there, not still on its way, when it fired.
    victim = Victim(statement_timeout="2s" if how == "statement_timeout" else None)
    victim.start()
    try:
        if where == "waiting for a lock":
            wait_until(admin, "SELECT EXISTS (SELECT FROM pg_locks WHERE pid = %s AND NOT granted)",
                       (victim.pid,), victim)
        else:
            wait_until(admin, "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = %s "
                              "AND wait_event = 'PgSleep')", (victim.pid,), victim)
        reached = True
    except RuntimeError:
        reached = False
        how = "pg_terminate_backend"  # end the victim whatever state it is in, then report
    if how == "pg_cancel_backend":
        scalar(admin, "SELECT pg_cancel_backend(%s)", (victim.pid,))
    elif how == "pg_terminate_backend":
        scalar(admin, "SELECT pg_terminate_backend(%s)", (victim.pid,))
    victim.join()
    if holder is not None:
        holder.rollback()
        holder.close()
    else:
        admin.cursor().execute("ALTER TABLE ledger.entries DISABLE TRIGGER slow_entries")
    after = ledger_state(admin)
    violations = scalar(admin, "SELECT count(*) FROM ledger.verify()")
    expected = {"statement_timeout": "57014", "pg_cancel_backend": "57014",
                "pg_terminate_backend": ("57P01", "connection lost")}[how]
    ended_right = victim.outcome in (expected if isinstance(expected, tuple) else (expected,))
    ok = reached and ended_right and after == before and violations == 0
    return ok, (f"reached the point: {reached}, ended with {victim.outcome}, "
                f"ledger unchanged: {after == before}")


def main():
    global ALICE, BOB
    admin = connect()
    cur = admin.cursor()
    cur.execute("CREATE EXTENSION ledger")
    ALICE = scalar(admin, "SELECT ledger.create_account('cancel alice', 'USD')")
    BOB = scalar(admin, "SELECT ledger.create_account('cancel bob', 'USD')")
    cur.execute("SELECT ledger.deposit(%s, '100.00 USD')", (ALICE,))
    # A point in the middle of a transfer: its accounts are locked and its transfer row is
    # written, its entries are being inserted. The trigger is enabled only for the cases that need it.
    cur.execute("""CREATE FUNCTION public.slow_entry() RETURNS trigger LANGUAGE plpgsql AS $$
                   BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$""")
    cur.execute("""CREATE TRIGGER slow_entries BEFORE INSERT ON ledger.entries
                   FOR EACH ROW EXECUTE FUNCTION public.slow_entry()""")
    cur.execute("ALTER TABLE ledger.entries DISABLE TRIGGER slow_entries")

    cases = [(how, where)
             for where in ("waiting for a lock", "mid-transfer")
             for how in ("statement_timeout", "pg_cancel_backend", "pg_terminate_backend")]
    print(f"1..{len(cases) + 1}")
    all_ok = True
    for number, (how, where) in enumerate(cases, 1):
        ok, detail = run_case(admin, how, where)
        all_ok &= ok
        print(f"{'ok' if ok else 'not ok'} {number} - {how} {where} leaves no partial write "
              f"# {detail}")
    # The ledger still works afterwards.
    transfer = scalar(admin, "SELECT ledger.transfer(%s, %s, '5.00 USD')", (ALICE, BOB))
    works = transfer is not None and scalar(admin, "SELECT count(*) FROM ledger.verify()") == 0
    all_ok &= works
    print(f"{'ok' if works else 'not ok'} {len(cases) + 1} - a transfer after the interruptions "
          "succeeds and verify() is empty")
    admin.close()
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
