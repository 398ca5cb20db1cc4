"""The change feed under the stress test's load (imported by test/stress_test.py).

While the writers run: tickers sequence the feed (feed_tick and feed_try_tick, as a cron job and
a consumer loop would), competing consumers apply it into a table of their own with feed_next
(SKIP LOCKED) and feed_ack in one transaction, rolling some of those transactions back, and a
session in another database holds a writing transaction open for the whole run. Afterwards:
every committed transfer has exactly one position and was applied exactly once, none of a
rolled-back transaction or savepoint was, every read was the run of positions right after the
cursor and every look at the feed saw positions 1..n without a hole, and the transaction held
open elsewhere delayed no position.
"""

import random
import threading
import time
import traceback

import psycopg2

CONSUMER = "stress"
OTHER_DATABASE = "ledger_stress_other"
BATCH = 50  # changes a consumer takes at a time


def connect(dbname=None):
    conn = psycopg2.connect("" if dbname is None else f"dbname={dbname}")
    conn.autocommit = True
    return conn


def setup():
    conn = connect()
    cur = conn.cursor()
    cur.execute("SELECT ledger.create_consumer(%s)", (CONSUMER,))
    cur.execute("""CREATE TABLE public.feed_applied (
                       position bigint PRIMARY KEY, transfer_id bigint NOT NULL UNIQUE,
                       consumer int NOT NULL)""")
    cur.execute(f"DROP DATABASE IF EXISTS {OTHER_DATABASE}")
    cur.execute(f"CREATE DATABASE {OTHER_DATABASE}")
    conn.close()
    other = connect(OTHER_DATABASE)
    other.cursor().execute("CREATE TABLE work (n int)")
    other.close()


def teardown():
    conn = connect()
    conn.cursor().execute(f"DROP DATABASE IF EXISTS {OTHER_DATABASE}")
    conn.close()


class Ticker(threading.Thread):
    def __init__(self, number, stop):
        super().__init__(name=f"ticker-{number}", daemon=True)
        self.random = random.Random(number)
        self.stop = stop
        self.ticks = 0
        self.skipped = 0
        self.errors = []
        self.lag_samples = []  # (oldest_xact_pid) seen by feed_lag during the run

    def run(self):
        try:
            conn = connect()
            cur = conn.cursor()
            while not self.stop.is_set():
                try:
                    if self.random.random() < 0.5:
                        cur.execute("SELECT ledger.feed_try_tick()")
                        self.skipped += cur.fetchone()[0] is None
                    else:
                        cur.execute("SELECT ledger.feed_tick()")
                    self.ticks += 1
                    if self.random.random() < 0.05:
                        cur.execute("SELECT oldest_xact_pid FROM ledger.feed_lag()")
                        self.lag_samples.append(cur.fetchone()[0])
                except psycopg2.Error as error:
                    self.errors.append(f"{error.pgcode}: {error}".strip())
                # The pace of a ticker (a cron job, a consumer loop), not a wait for a race.
                time.sleep(self.random.uniform(0.002, 0.03))
            conn.close()
        except Exception:
            self.errors.append(traceback.format_exc())


class Consumer(threading.Thread):
    """Applies the feed, exactly once, into public.feed_applied."""

    def __init__(self, number, stop):
        super().__init__(name=f"consumer-{number}", daemon=True)
        self.number = number
        self.random = random.Random(1000 + number)
        self.stop = stop
        self.batches = 0
        self.rolled_back = 0
        self.applied = 0
        self.errors = []
        self.not_after_cursor = []  # reads that were not the positions right after the cursor
        self.holes = []  # looks at the feed that saw a position without all those below it

    def consume_once(self, cur, rollback_share):
        """One transaction: returns the number of changes applied (0: nothing to do)."""
        cur.execute("BEGIN")
        cur.execute("SELECT position, transfer_id FROM ledger.feed_next(%s, %s, true)",
                    (CONSUMER, BATCH))
        rows = cur.fetchall()
        if not rows:
            cur.execute("ROLLBACK")
            return 0
        # The cursor is locked now: read it, and the feed as this transaction sees it.
        cur.execute("SELECT position FROM ledger.feed_consumers WHERE consumer = %s", (CONSUMER,))
        cursor = cur.fetchone()[0]
        positions = [p for p, _ in rows]
        if positions != list(range(cursor + 1, cursor + 1 + len(rows))):
            self.not_after_cursor.append((cursor, positions[:5]))
        cur.execute("SELECT count(*), coalesce(max(position), 0) FROM ledger.feed")
        count, highest = cur.fetchone()
        if count != highest:
            self.holes.append((count, highest))
        cur.executemany("INSERT INTO public.feed_applied VALUES (%s, %s, %s)",
                        [(p, t, self.number) for p, t in rows])
        cur.execute("SELECT ledger.feed_ack(%s, %s, %s)", (CONSUMER, cursor, positions[-1]))
        if self.random.random() < rollback_share:
            cur.execute("ROLLBACK")  # the effects and the acknowledgement go together
            self.rolled_back += 1
            return 0
        cur.execute("COMMIT")
        self.batches += 1
        self.applied += len(rows)
        return len(rows)

    def run(self):
        try:
            conn = connect()
            cur = conn.cursor()
            while not self.stop.is_set():
                try:
                    if self.consume_once(cur, 0.1) == 0:
                        time.sleep(self.random.uniform(0.002, 0.02))  # a consumer's idle pace
                except psycopg2.Error as error:
                    self.errors.append(f"{error.pgcode}: {error}".strip())
                    cur.execute("ROLLBACK")
            conn.close()
        except Exception:
            self.errors.append(traceback.format_exc())

    def drain(self):
        conn = connect()
        cur = conn.cursor()
        while self.consume_once(cur, 0) > 0:
            pass
        conn.close()


class Holder(threading.Thread):
    """A writing transaction in another database, open for the whole run."""

    def __init__(self, stop):
        super().__init__(name="holder", daemon=True)
        self.stop = stop
        self.pid = None
        self.errors = []
        self.ready = threading.Event()

    def run(self):
        try:
            conn = connect(OTHER_DATABASE)
            cur = conn.cursor()
            self.pid = conn.get_backend_pid()
            cur.execute("BEGIN")
            cur.execute("INSERT INTO work VALUES (1)")
            self.ready.set()
            self.stop.wait()
            cur.execute("ROLLBACK")
            conn.close()
        except Exception:
            self.errors.append(traceback.format_exc())
            self.ready.set()


class FeedLoad:
    def __init__(self, stop, tickers=2, consumers=2):
        self.stop = stop
        self.tickers = [Ticker(n, stop) for n in range(tickers)]
        self.consumers = [Consumer(n, stop) for n in range(consumers)]
        self.holder = Holder(stop)

    def start(self):
        setup()
        self.holder.start()
        self.holder.ready.wait(60)
        for thread in self.tickers + self.consumers:
            thread.start()

    def join(self, timeout):
        for thread in self.tickers + self.consumers + [self.holder]:
            thread.join(timeout=timeout)
        return not any(t.is_alive() for t in self.tickers + self.consumers + [self.holder])

    def check(self, rolled_back_ids):
        """After the writers and the feed threads have stopped. Returns [(description, ok)]."""
        results = []
        during_run = sum(c.applied for c in self.consumers)
        conn = connect()
        cur = conn.cursor()
        # The holder's transaction ended with the run; sequence what is left and drain.
        cur.execute("SELECT ledger.feed_tick()")
        cur.execute("SELECT unsequenced FROM ledger.feed_lag()")
        unsequenced = cur.fetchone()[0]
        self.consumers[0].drain()
        cur.execute("SELECT id FROM ledger.transfers")
        transfers = {row[0] for row in cur.fetchall()}
        cur.execute("SELECT position, transfer_id FROM ledger.feed ORDER BY position")
        feed = cur.fetchall()
        cur.execute("SELECT position, transfer_id FROM public.feed_applied ORDER BY position")
        applied = cur.fetchall()
        cur.execute("SELECT position FROM ledger.feed_consumers WHERE consumer = %s", (CONSUMER,))
        cursor = cur.fetchone()[0]
        conn.close()
        teardown()

        ticks = sum(t.ticks for t in self.tickers)
        skipped = sum(t.skipped for t in self.tickers)
        batches = sum(c.batches for c in self.consumers)
        undone = sum(c.rolled_back for c in self.consumers)
        print(f"# feed: {ticks} ticks ({skipped} try-ticks skipped beside a running one), "
              f"{len(feed)} positions; consumers applied {batches} batches and rolled back "
              f"{undone}")

        errors = [(t.name, e) for t in self.tickers + self.consumers + [self.holder]
                  for e in t.errors]
        for name, error in errors[:5]:
            print(f"#   {name}: {error}")
        results.append((f"no tick, consumer or holder call failed ({len(errors)} did)",
                        not errors))

        positions = [p for p, _ in feed]
        sequenced = [t for _, t in feed]
        dense = positions == list(range(1, len(feed) + 1))
        once = len(set(sequenced)) == len(sequenced)
        missing = transfers - set(sequenced)
        extra = set(sequenced) - transfers
        results.append((f"every committed transfer has exactly one position, positions 1..n "
                        f"(dense: {dense}; {len(missing)} committed without a position, "
                        f"{len(extra)} positions naming no transfer, {len(sequenced) - len(set(sequenced))} "
                        f"transfers twice; {unsequenced} left unsequenced after the last tick)",
                        dense and once and not missing and not extra and unsequenced == 0))

        applied_ids = [t for _, t in applied]
        results.append((f"the consumers applied every position exactly once, and their cursor "
                        f"ends at the last position ({len(applied)} applied of {len(feed)}, "
                        f"cursor {cursor})",
                        applied == feed and cursor == len(feed)))
        ghosts = rolled_back_ids & set(applied_ids)
        results.append((f"no transfer of a rolled-back transaction or savepoint was sequenced or "
                        f"applied ({len(ghosts)} of {len(rolled_back_ids)} were)",
                        not ghosts and not (rolled_back_ids & set(sequenced))))

        not_after = [x for c in self.consumers for x in c.not_after_cursor]
        holes = [x for c in self.consumers for x in c.holes]
        for read in not_after[:3]:
            print(f"#   read after cursor {read[0]}: positions {read[1]}")
        for hole in holes[:3]:
            print(f"#   the feed had {hole[0]} positions up to {hole[1]}")
        results.append((f"every read was the positions right after the cursor, and every look "
                        f"at the feed saw 1..n without a hole ({len(not_after)} reads, "
                        f"{len(holes)} looks did not)", not not_after and not holes))

        samples = [s for t in self.tickers for s in t.lag_samples]
        held_up = sum(1 for s in samples if s == self.holder.pid)
        results.append((f"a writing transaction held open in another database for the whole run "
                        f"delayed no position: consumers applied {during_run} changes while it was "
                        f"open, and feed_lag named it as the oldest {held_up} of {len(samples)} "
                        f"times", during_run > 0 and held_up == len(samples) > 0))
        return results
