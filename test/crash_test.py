#!/usr/bin/python3
"""Crash and retry test: concurrent clients move money with idempotency keys while the server (the
postmaster and its backends, like a power cut) is killed with SIGKILL and restarted, and while
some replies to committed calls are lost on the way back; afterwards every acknowledged call
exists exactly once and the ledger still adds up. Half of the accounts are split into 4 balance
slots at setup, so that the checks cover slot chains and the slot moves of split accounts too.
Meanwhile a feed worker ticks the change feed and applies it, exactly once, into a table of its
own with feed_next/feed_ack; it is killed with the server, and now and then on its own in the
middle of a batch (its connection dropped before COMMIT), and starts again. Beside it the Django
example's worker (examples/django: manage.py apply_feed) runs as its own process and is started
again whenever it exits, as a service manager would: it dies with the server, and is killed
(SIGKILL) in the middle of a batch, after feed_next locked its cursor and while it writes its
movements. Afterwards the positions are dense and every transfer was applied exactly once by both.

Runs inside scripts/with-cluster (it needs LEDGER_CLUSTER_DATA and LEDGER_SERVER_OPTIONS to restart
the server). Short form by default (about 30 seconds); CRASH_SECONDS and CRASH_KILLS make it
longer. Prints TAP; exits non-zero on any violation.
"""

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

import psycopg2

SECONDS = float(os.environ.get("CRASH_SECONDS", "30"))
KILLS = int(os.environ.get("CRASH_KILLS", "3"))
CLIENTS = int(os.environ.get("CRASH_CLIENTS", "8"))
ACCOUNTS = 20
SPLIT_SLOTS = 4  # every other account is split into this many slots
SEED = int(os.environ.get("CRASH_SEED", "20261126"))
# Share of calls whose reply is dropped after the server committed them, as a network might.
LOST_REPLY_RATE = float(os.environ.get("CRASH_LOST_REPLY_RATE", "0.02"))
# A call whose outcome is still unknown after this long is reported as an error.
CALL_DEADLINE_SECONDS = 120
DJANGO_EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "django")
DJANGO_APP_NAME = "crash-django-worker"  # its backends' application_name, to find them
PG_CTL = os.path.join(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"), "pg_ctl")

# SQLSTATEs that mean "refused, and nothing was written": the call is final.
REFUSED = {"LG101", "LG102"}
# SQLSTATEs that mean "not done, try the same call again".
RETRY = {"40001", "40P01", "57P01", "57P02", "57P03", "08006", "08001", "08003", "08004"}

server_up = threading.Event()
server_up.set()
stop = threading.Event()


def connect():
    """A connection, waiting for the server to come back if it is down."""
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = psycopg2.connect("")
            conn.autocommit = True
            return conn
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def setup():
    conn = connect()
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION ledger")
    ids = []
    for i in range(ACCOUNTS):
        cur.execute("SELECT ledger.create_account(%s, 'USD')", (f"crash-{i}",))
        ids.append(cur.fetchone()[0])
    for account in ids:
        cur.execute("SELECT ledger.deposit(%s, '1000.00 USD', %s)", (account, f"seed-{account}"))
    # Split after seeding, so that the split itself moves money between slots.
    for account in ids[::2]:
        cur.execute("SELECT ledger.split_account(%s, %s)", (account, SPLIT_SLOTS))
    cur.execute("SELECT ledger.create_consumer('crash')")
    cur.execute("CREATE TABLE public.crash_applied (position bigint PRIMARY KEY, "
                "transfer_id bigint NOT NULL UNIQUE)")
    conn.close()
    migrate = manage("migrate", "--noinput", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, stderr = migrate.communicate(timeout=120)
    if migrate.returncode != 0:
        raise RuntimeError(f"manage.py migrate: {stderr.decode(errors='replace')}")
    return ids


class FeedWorker(threading.Thread):
    """Ticks and applies the feed; starts over after every lost connection."""

    def __init__(self):
        super().__init__(name="feed-worker", daemon=True)
        self.random = random.Random(SEED + 1)
        self.batches = 0
        self.abandoned = 0  # batches dropped before COMMIT, as a killed worker would
        self.restarts = 0
        self.errors = []

    def batch(self, cur):
        """One tick and one batch; the number of changes applied."""
        cur.execute("SELECT ledger.feed_try_tick()")
        cur.execute("BEGIN")
        cur.execute("SELECT position, transfer_id FROM ledger.feed_next('crash', 500)")
        rows = cur.fetchall()
        if not rows:
            cur.execute("ROLLBACK")
            return 0
        cur.execute("SELECT position FROM ledger.feed_consumers WHERE consumer = 'crash'")
        cursor = cur.fetchone()[0]
        cur.executemany("INSERT INTO public.crash_applied VALUES (%s, %s)", rows)
        cur.execute("SELECT ledger.feed_ack('crash', %s, %s)", (cursor, rows[-1][0]))
        if self.random.random() < 0.1:
            raise ConnectionAbortedError  # killed between its effects and COMMIT
        cur.execute("COMMIT")
        self.batches += 1
        return len(rows)

    def run_until(self, done):
        while True:
            conn = None
            try:
                conn = connect()
                cur = conn.cursor()
                while True:
                    applied = self.batch(cur)
                    if applied == 0:
                        if done():
                            return
                        time.sleep(0.01)  # the worker's idle pace
            except ConnectionAbortedError:
                self.abandoned += 1
            except psycopg2.Error as error:
                if error.pgcode not in RETRY and not isinstance(error, psycopg2.OperationalError):
                    self.errors.append(f"{error.pgcode}: {error}".strip())
                    return
            finally:
                if conn is not None:
                    conn.close()  # a transaction still open is rolled back by the server
            self.restarts += 1

    def run(self):
        try:
            self.run_until(stop.is_set)
        except Exception as error:  # noqa: BLE001 - reported by the check
            self.errors.append(repr(error))


def check_feed(conn, worker):
    """After the run: one last tick and batch, then the feed's promises."""
    worker.run_until(lambda: True)
    cur = conn.cursor()
    cur.execute("SELECT ledger.feed_tick()")
    worker.run_until(lambda: True)
    cur.execute("SELECT unsequenced FROM ledger.feed_lag()")
    unsequenced = cur.fetchone()[0]
    cur.execute("SELECT id FROM ledger.transfers")
    transfers = {row[0] for row in cur.fetchall()}
    cur.execute("SELECT position, transfer_id FROM ledger.feed ORDER BY position")
    feed = cur.fetchall()
    cur.execute("SELECT position, transfer_id FROM public.crash_applied ORDER BY position")
    applied = cur.fetchall()
    sequenced = [t for _, t in feed]
    dense = [p for p, _ in feed] == list(range(1, len(feed) + 1))
    print(f"# feed worker: {worker.batches} batches, {worker.abandoned} dropped before COMMIT, "
          f"{worker.restarts} restarts; {len(feed)} positions")
    for error in worker.errors[:5]:
        print(f"#   feed worker: {error}")
    return [
        (f"after the kills the feed's positions are dense and name every transfer once "
         f"(dense: {dense}; {len(transfers - set(sequenced))} without a position, "
         f"{len(sequenced) - len(set(sequenced))} twice, {unsequenced} unsequenced)",
         dense and set(sequenced) == transfers and len(set(sequenced)) == len(sequenced)
         and unsequenced == 0 and not worker.errors),
        (f"the feed worker, killed with the server and on its own, applied every position "
         f"exactly once ({len(applied)} applied of {len(feed)})", applied == feed),
    ]


def manage(*args, **kwargs):
    """Runs examples/django's manage.py against this test's database (PGDATABASE)."""
    env = dict(os.environ, LEDGER_DJANGO_DB=os.environ.get("PGDATABASE", "postgres"),
               PGAPPNAME=DJANGO_APP_NAME, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.Popen(["/usr/bin/python3", "manage.py", *args], cwd=DJANGO_EXAMPLE,
                            env=env, **kwargs)


# An exit of the Django worker is expected when its connection died with the server, or when this
# test killed it; any other ends the test with its traceback.
CONNECTION_LOST = ("OperationalError", "InterfaceError", "server closed the connection",
                   "terminating connection", "the database system is")


class DjangoWorker(threading.Thread):
    """Keeps one `manage.py apply_feed` process running until the test stops."""

    def __init__(self):
        super().__init__(name="django-worker", daemon=True)
        self.process = None
        self.lock = threading.Lock()  # guards self.process between this thread and kill_mid_batch
        self.starts = 0
        self.connection_lost = 0  # exits because the server died under it
        self.killed = 0  # SIGKILLed by this test in the middle of a batch
        self.errors = []

    def run(self):
        while not self.errors:
            with tempfile.TemporaryFile() as stderr:
                with self.lock:
                    if stop.is_set():  # checked under the lock that stop_now takes
                        return
                    self.process = manage("apply_feed", "--idle-seconds", "0.05", "--batch", "500",
                                          stdout=subprocess.DEVNULL, stderr=stderr)
                    self.starts += 1
                code = self.process.wait()
                stderr.seek(0)
                text = stderr.read().decode(errors="replace")
            if code == -signal.SIGKILL:
                continue
            if code != 0 and any(mark in text for mark in CONNECTION_LOST):
                self.connection_lost += 1
                time.sleep(0.1)  # a service manager's pause before it starts a unit again
                continue
            self.errors.append(f"exit {code}: {text.strip().splitlines()[-1:] or ''}")

    def stop_now(self):
        with self.lock:
            if self.process is not None and self.process.poll() is None:
                self.process.kill()

    def kill_mid_batch(self):
        """Holds writes to its movements table until the worker waits in the middle of a batch,
        SIGKILLs it there, then lets go. False if the moment did not come (the server died)."""
        try:
            conn = connect()
        except psycopg2.OperationalError:
            return False
        try:
            conn.autocommit = False
            cur = conn.cursor()
            cur.execute("LOCK TABLE public.payments_movement IN SHARE MODE")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                cur.execute("SELECT pg_stat_clear_snapshot()")  # fresh activity every time
                cur.execute("""SELECT count(*) FROM pg_stat_activity
                                WHERE application_name = %s AND wait_event_type = 'Lock'
                                  AND query LIKE 'INSERT INTO "payments_movement"%%'""",
                            (DJANGO_APP_NAME,))
                if cur.fetchone()[0] > 0:
                    with self.lock:
                        self.process.kill()
                        self.process.wait()
                    self.killed += 1
                    return True
                time.sleep(0.01)  # polling for the worker to arrive, not waiting out a race
            return False
        except psycopg2.Error:
            return False
        finally:
            conn.close()


def check_django(conn, worker):
    """After the run: the worker's last batches, then exactly-once against the feed."""
    drain = manage("apply_feed", "--once", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, stderr = drain.communicate(timeout=CALL_DEADLINE_SECONDS)
    if drain.returncode != 0:
        worker.errors.append(f"apply_feed --once: {stderr.decode(errors='replace').strip()[-300:]}")
    cur = conn.cursor()
    cur.execute("""SELECT f.position, e.transfer_id, e.account_id, e.slot
                     FROM ledger.feed f JOIN ledger.entries e ON e.transfer_id = f.transfer_id
                     JOIN ledger.accounts a ON a.id = e.account_id
                    WHERE NOT a.is_external ORDER BY 1, 2, 3, 4""")
    expected = cur.fetchall()
    cur.execute("""SELECT position, transfer_id, account_id, slot FROM public.payments_movement
                    ORDER BY 1, 2, 3, 4""")
    applied = cur.fetchall()
    cur.execute("""SELECT c.position = s.last_position FROM ledger.feed_consumers c,
                          ledger.feed_state s WHERE c.consumer = 'payments'""")
    caught_up = cur.fetchone()
    print(f"# Django worker: {worker.starts} starts, {worker.connection_lost} exits with the "
          f"server, {worker.killed} killed in the middle of a batch; {len(applied)} movements")
    for error in worker.errors[:5]:
        print(f"#   Django worker: {error}")
    missing = len(set(expected) - set(applied))
    extra = len(applied) - len(expected) + missing
    return [
        (f"the Django worker, killed with the server ({worker.connection_lost}) and in the middle "
         f"of a batch ({worker.killed}) and started again, recorded each user account's entry of "
         f"every position exactly once ({missing} missing, {extra} more), and its cursor is at the "
         f"last position",
         applied == expected and caught_up == (True,) and not worker.errors
         and (KILLS == 0 or (worker.killed > 0 and worker.connection_lost > 0))),
    ]


class Client(threading.Thread):
    """Makes calls until told to stop; records each call's final outcome, keyed by its key."""

    def __init__(self, number, accounts, outcomes):
        # A daemon, so that a failing test ends instead of waiting for its clients forever.
        super().__init__(name=f"client-{number}", daemon=True)
        self.number = number
        self.accounts = accounts
        self.outcomes = outcomes  # key -> ("acked", transfer id) or ("refused", sqlstate)
        self.random = random.Random(SEED + number)
        self.retries = 0
        self.lost_replies = 0
        self.replay_mismatches = []  # (first id, id the retry returned) where they differ
        self.conn = None

    def call(self, sql, args):
        """Runs one ledger call until its outcome is known; returns it."""
        lost_id = None
        deadline = time.monotonic() + CALL_DEADLINE_SECONDS
        while True:
            if time.monotonic() > deadline:
                return ("error", f"no outcome within {CALL_DEADLINE_SECONDS} s")
            try:
                if self.conn is None or self.conn.closed:
                    self.conn = connect()
                cur = self.conn.cursor()
                cur.execute(sql, args)
                transfer_id = cur.fetchone()[0]
                if lost_id is None and self.random.random() < LOST_REPLY_RATE:
                    # Committed, but the client never hears of it: all it can do is retry.
                    lost_id = transfer_id
                    self.lost_replies += 1
                    self.retries += 1
                    continue
                if lost_id is not None and transfer_id != lost_id:
                    self.replay_mismatches.append((lost_id, transfer_id))
                return ("acked", transfer_id)
            except psycopg2.Error as error:
                code = getattr(error, "pgcode", None)
                if code in REFUSED:
                    return ("refused", code)
                if code is not None and code not in RETRY:
                    return ("error", f"{code}: {error}")
                # The reply was lost, the server died, or it must be retried: same call, same key.
                self.retries += 1
                try:
                    self.conn.close()
                except Exception:
                    pass
                self.conn = None
                time.sleep(0.01)

    def run(self):
        sequence = 0
        while not stop.is_set():
            sequence += 1
            key = f"c{self.number}-{sequence}"
            a, b = self.random.sample(self.accounts, 2)
            amount = f"{self.random.randint(1, 30000) / 100:.2f} USD"
            kind = self.random.choice(["transfer", "transfer", "withdraw", "deposit"])
            if kind == "transfer":
                outcome = self.call("SELECT ledger.transfer(%s, %s, %s, %s)", (a, b, amount, key))
            else:
                outcome = self.call(f"SELECT ledger.{kind}(%s, %s, %s)", (a, amount, key))
            self.outcomes[key] = (kind, (a, b, amount)) + outcome
        if self.conn is not None:
            self.conn.close()


def children_of(pid):
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    # The parent pid is the second field after the parenthesised command name.
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        children.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return children


def kill_and_restart(data_dir, options):
    """SIGKILL to the postmaster and its backends (not a clean stop), then start it again."""
    with open(os.path.join(data_dir, "postmaster.pid")) as pid_file:
        pid = int(pid_file.readline())
    # Stopped first, so that it forks no backend between the listing and the kill.
    os.kill(pid, signal.SIGSTOP)
    for backend in children_of(pid):
        try:
            os.kill(backend, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.kill(pid, signal.SIGKILL)
    # Orphaned backends notice the postmaster's death and exit; start retries until they have.
    deadline = time.monotonic() + 60
    while True:
        started = subprocess.run(
            ["runuser", "-u", "postgres", "--", PG_CTL, "-D", data_dir, "-l",
             os.environ["LEDGER_SERVER_LOG"], "-o", options, "-w", "start"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if started.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not restart")
        time.sleep(0.2)


def check(conn, outcomes, replay_mismatches, accounts):
    """Returns (description, ok) pairs."""
    cur = conn.cursor()
    cur.execute("SELECT idempotency_key, id FROM ledger.transfers WHERE idempotency_key LIKE 'c%'")
    stored = {}
    for key, transfer_id in cur.fetchall():
        stored.setdefault(key, []).append(transfer_id)
    acked = {k: v for k, v in outcomes.items() if v[2] == "acked"}
    refused = {k: v for k, v in outcomes.items() if v[2] == "refused"}
    errors = {k: v for k, v in outcomes.items() if v[2] == "error"}
    missing = [k for k, v in acked.items() if stored.get(k) != [v[3]]]
    written_refused = [k for k in refused if k in stored]
    unknown = [k for k in stored if k not in outcomes]
    cur.execute("SELECT count(*) FROM ledger.verify()")
    violations = cur.fetchone()[0]
    cur.execute("""SELECT count(*) FROM (SELECT currency FROM ledger.account_balances
                   GROUP BY currency HAVING sum(ledger.amount(balance)) <> 0) AS c""")
    unbalanced = cur.fetchone()[0]
    cur.execute("""SELECT count(*) FROM ledger.account_balances
                   WHERE min_balance IS NOT NULL
                     AND ledger.amount(balance) < ledger.amount(min_balance)""")
    overdrawn = cur.fetchone()[0]
    # The splits survived the crashes: each split account still has its slots, each with entries.
    cur.execute("""SELECT b.account_id, min(b.slots), count(*) FILTER (WHERE b.version > 0)
                     FROM ledger.balances b WHERE b.account_id = ANY(%s)
                    GROUP BY b.account_id""", (accounts[::2],))
    split_rows = cur.fetchall()
    unsplit = [row for row in split_rows if row[1] != SPLIT_SLOTS or row[2] != SPLIT_SLOTS]
    print(f"# calls: {len(outcomes)} acknowledged {len(acked)}, refused {len(refused)}, "
          f"unexpected errors {len(errors)}; transfers with a client key: {len(stored)}")
    for key in (missing + written_refused + unknown)[:10]:
        print(f"#   {key}: client saw {outcomes.get(key)}, ledger has {stored.get(key)}")
    for key, value in list(errors.items())[:5]:
        print(f"#   {key}: {value}")
    return [
        ("every acknowledged call's transfer exists exactly once, with the acknowledged id",
         not missing),
        ("no refused call wrote a transfer", not written_refused),
        ("no key produced two transfers, and none appeared that no client made",
         all(len(ids) == 1 for ids in stored.values()) and not unknown),
        ("no call ended in an unexpected error", not errors),
        (f"every retry after a lost reply returned the first call's transfer id "
         f"({len(replay_mismatches)} did not)", not replay_mismatches),
        (f"ledger.verify() returns no rows ({violations})", violations == 0),
        (f"every currency sums to zero ({unbalanced} do not)", unbalanced == 0),
        (f"no account is below its min_balance ({overdrawn} are)", overdrawn == 0),
        (f"every split account still has its {SPLIT_SLOTS} slots, each with entries "
         f"({len(unsplit)} of {len(split_rows)} do not)",
         not unsplit and len(split_rows) == len(accounts[::2])),
    ]


def main():
    data_dir = os.environ["LEDGER_CLUSTER_DATA"]
    options = os.environ["LEDGER_SERVER_OPTIONS"]
    accounts = setup()
    outcomes = {}
    clients = [Client(n, accounts, outcomes) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    worker = FeedWorker()
    worker.start()
    django = DjangoWorker()
    django.start()
    chooser = random.Random(SEED)
    # Kill the server, and the Django worker on its own, at random moments spread over the run,
    # leaving time after the last one.
    moments = sorted([(chooser.uniform(0.1, 0.8) * SECONDS, "server") for _ in range(KILLS)] +
                     [(chooser.uniform(0.1, 0.8) * SECONDS, "django") for _ in range(KILLS)])
    began = time.monotonic()
    try:
        for moment, victim in moments:
            time.sleep(max(0.0, began + moment - time.monotonic()))
            if victim == "server":
                kill_and_restart(data_dir, options)
            else:
                django.kill_mid_batch()
        time.sleep(max(0.0, began + SECONDS - time.monotonic()))
    finally:
        stop.set()  # also when a restart failed: the clients finish their calls and end
        django.stop_now()
    for client in clients:
        client.join(timeout=CALL_DEADLINE_SECONDS + 30)
    worker.join(timeout=CALL_DEADLINE_SECONDS)
    django.join(timeout=CALL_DEADLINE_SECONDS)
    if any(client.is_alive() for client in clients) or worker.is_alive() or django.is_alive():
        print(f"# feed worker alive: {worker.is_alive()}, batches {worker.batches}, restarts "
              f"{worker.restarts}, errors {worker.errors[:3]}")
        print("1..1\nnot ok 1 - every client and the feed worker ended its last call")
        return 1

    conn = connect()
    mismatches = [pair for c in clients for pair in c.replay_mismatches]
    results = (check(conn, outcomes, mismatches, accounts) + check_feed(conn, worker)
               + check_django(conn, django))
    conn.close()
    print(f"# {KILLS} kills of the server in {SECONDS:.0f} s; "
          f"{sum(c.lost_replies for c in clients)} replies lost on purpose; "
          f"{sum(c.retries for c in clients)} retries")
    for first, replayed in mismatches[:5]:
        print(f"#   first call made transfer {first}, its retry returned {replayed}")
    print(f"1..{len(results)}")
    for number, (description, ok) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {number} - {description}")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
