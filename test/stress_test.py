#!/usr/bin/python3
"""Stress test of balance slots and transfer_many: 16 clients, each on its own connection, run
transactions of random transfers, deposits, withdrawals and transfer_many calls (1 to 50 items)
against split and unsplit accounts for a bounded time. About a third of the calls are near the
limits (large against the balances, or into accounts with a max_balance), so that LG101 and LG102
refusals fire and split accounts take the slow path (every slot locked, money gathered). Some
calls run inside a savepoint that is then rolled back, some whole transactions are rolled back,
some run under REPEATABLE READ, and some repeat an earlier keyed call to check that it returns
the same ids. Most transactions make one call; a quarter make two or three whose accounts rise
from one call to the next ("ordered": like single calls, they must never deadlock); a few make
them in random order ("unordered": they may deadlock, README). 40001 and 40P01 are retried with
the whole transaction.

Each client logs the ids a successful COMMIT acknowledged (with the accounts and amount it
asked for), the ids it saw rolled back, and every refusal with its SQLSTATE. Afterwards:
acknowledged equals committed (slot moves, which the ledger makes from an account to itself,
aside), nothing rolled back exists, every refusal has an expected SQLSTATE and DETAIL figures
that add up (and, made first in its transaction, a balance its account had in transfer-id
order), keyed repeats return the original ids, no deadlock arose without an unordered
transaction in its cycle, no call under READ COMMITTED failed with 40001, ledger.verify() returns
no rows, every (account, slot) chain is gapless and exact and ends at its balance, every
transfer has its two entries, every account's running balance in transfer-id order stays within
its limits, and every currency sums to zero.

Meanwhile the change feed is ticked and consumed under the same load (test/stress_feed.py), and
checked afterwards: every committed transfer sequenced and applied exactly once, nothing rolled
back, every read a gapless run after the cursor.

Runs inside scripts/with-cluster: `scripts/with-cluster test/stress_test.py`. Short form by
default (40 s of load, about a minute in all); the longer form is
`STRESS_SECONDS=600 scripts/with-cluster test/stress_test.py`. STRESS_CLIENTS (16), STRESS_SEED,
STRESS_NEAR_LIMIT (share of calls near the limits, 0.33), STRESS_ORDERED (0.25) and
STRESS_UNORDERED (0.02, shares of transactions of several calls), STRESS_MAX_ITEMS (50) and
STRESS_SPLIT=0 (no account split, for comparison) and STRESS_FEED=0 (no feed) change the rest. Prints TAP; exits non-zero on
any violation.
"""

import os
import random
import re
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from decimal import Decimal

import psycopg2

from stress_feed import FeedLoad

SECONDS = float(os.environ.get("STRESS_SECONDS", "40"))
CLIENTS = int(os.environ.get("STRESS_CLIENTS", "16"))
SEED = int(os.environ.get("STRESS_SEED", "20261211"))
NEAR_LIMIT = float(os.environ.get("STRESS_NEAR_LIMIT", "0.33"))
# Shares of transactions of several calls: ordered ones take their accounts in ascending id order
# from one call to the next (each account in one call only), as every single call does, so they
# must never deadlock; unordered ones may (README), and are retried.
ORDERED = float(os.environ.get("STRESS_ORDERED", "0.25"))
UNORDERED = float(os.environ.get("STRESS_UNORDERED", "0.02"))
MULTI_ITEMS = 3  # at most, in a transfer_many inside a transaction of several calls
MAX_ITEMS = int(os.environ.get("STRESS_MAX_ITEMS", "50"))  # of one transfer_many call
SPLIT = os.environ.get("STRESS_SPLIT", "1") != "0"  # 0: no account is split, for comparison
FEED = os.environ.get("STRESS_FEED", "1") != "0"  # 0: no ticks and no consumers
MAX_ATTEMPTS = 50  # of one transaction that keeps meeting 40001 / 40P01
RR_ATTEMPTS = 10  # under REPEATABLE READ, before going on under READ COMMITTED
UNORDERED_ATTEMPTS = 10  # of an unordered transaction, which may deadlock every time, before giving up
STATEMENT_TIMEOUT = "60s"  # a call that hangs fails the test instead of hanging it

REFUSED = {"LG101", "LG102"}  # the refusals this test provokes; nothing else may refuse a call
RETRY = {"40001", "40P01"}

stop = threading.Event()


def connect():
    conn = psycopg2.connect("")
    conn.autocommit = True  # transactions are spelled out: BEGIN, SAVEPOINT, COMMIT
    return conn


def money(cents, currency):
    return f"{cents // 100}.{cents % 100:02d} {currency}"


class Account:
    def __init__(self, account_id, currency, slots, max_cents, hot=False):
        self.id = account_id
        self.currency = currency
        self.slots = slots
        self.max_cents = max_cents
        self.hot = hot


def setup():
    """Accounts in USD (one hot) and a few in EUR, funded, about half split into 4 to 8 slots.
    Returns the accounts, the external account of each currency and the setup's transfer ids."""
    conn = connect()
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION ledger")
    layout = [("USD", 16), ("EUR", 4)]
    accounts = []
    for currency, count in layout:
        for i in range(count):
            hot = currency == "USD" and i == 0
            slots = 8 if hot else (4 + i % 5 if i % 2 == 0 else 1)
            slots = slots if SPLIT else 1
            max_cents = 300000 if i % 3 == 1 else None
            cur.execute("SELECT ledger.create_account(%s, %s, %s, %s)",
                        (f"stress-{currency}-{i}", currency, money(0, currency),
                         None if max_cents is None else money(max_cents, currency)))
            accounts.append(Account(cur.fetchone()[0], currency, slots, max_cents, hot))
    externals = {}
    for currency, _ in layout:
        cur.execute("SELECT id FROM ledger.accounts WHERE is_external AND currency = %s",
                    (currency,))
        externals[currency] = cur.fetchone()[0]
    setup_ids = {}
    for account in accounts:
        cents = 500000 if account.hot else 100000
        cur.execute("SELECT ledger.deposit(%s, %s)", (account.id, money(cents, account.currency)))
        setup_ids[cur.fetchone()[0]] = (externals[account.currency], account.id, cents,
                                        account.currency)
    # Split after funding, so that the split itself spreads money over the slots.
    for account in accounts:
        if account.slots > 1:
            cur.execute("SELECT ledger.split_account(%s, %s)", (account.id, account.slots))
    cur.execute("SELECT coalesce(max(id), 0) FROM ledger.transfers")
    last_setup_id = cur.fetchone()[0]
    conn.close()
    return accounts, externals, setup_ids, last_setup_id


class Call:
    """One ledger call: its SQL, its arguments, and the transfers it asks for."""

    def __init__(self, kind, sql, args, rows, keyed=False):
        self.kind = kind
        self.sql = sql
        self.args = args
        self.rows = rows  # [(from, to, cents, currency)], one per transfer it makes
        self.keyed = keyed
        self.savepoint = False
        self.rollback_savepoint = False
        self.replay_of = None  # the ids the original call returned, for a replay


class Client(threading.Thread):
    def __init__(self, number, accounts, externals):
        # A daemon, so that a failing test ends instead of waiting for its clients forever.
        super().__init__(name=f"client-{number}", daemon=True)
        self.number = number
        self.random = random.Random(SEED * 100 + number)
        self.usd = [a for a in accounts if a.currency == "USD"]
        self.eur = [a for a in accounts if a.currency == "EUR"]
        self.hot = next(a for a in accounts if a.hot)
        self.split = [a for a in accounts if a.slots > 1]
        self.externals = externals
        self.sequence = 0
        self.acked = {}  # transfer id -> (from, to, cents, currency)
        self.rolled_back = set()
        self.refusals = []  # (sqlstate, kind, message, detail, first call of its transaction?)
        self.errors = []
        self.replay_mismatches = []  # (kind, original ids, replayed ids)
        self.committed_keyed = []  # calls with keys that a COMMIT acknowledged, for replays
        self.retries = Counter()
        self.deadlocks = []  # (ordered?, calls, began, failed, pids in the cycle, DETAIL)
        self.history = []  # (began, ended, ordered?) of every transaction attempt
        self.transactions = Counter()
        self.calls = Counter()  # attempts, retries included
        self.committed_calls = Counter()
        self.conn = None
        self.pid = None

    # -- making calls ------------------------------------------------------------------------

    def amount(self, near_limit):
        if near_limit:
            return self.random.randint(30000, 250000)  # 300 to 2500: about a balance or more
        return self.random.randint(1, 5000)  # up to 50.00

    def pair(self):
        pool = self.eur if self.random.random() < 0.1 else self.usd
        first = self.hot if pool is self.usd and self.random.random() < 0.3 else \
            self.random.choice(pool)
        second = self.random.choice([a for a in pool if a is not first])
        return (first, second) if self.random.random() < 0.5 else (second, first)

    def key(self):
        self.sequence += 1
        return f"s{self.number}-{self.sequence}"

    def make_call(self, max_items):
        near = self.random.random() < NEAR_LIMIT
        kind = self.random.choices(["transfer", "deposit", "withdraw", "transfer_many"],
                                   [35, 15, 15, 35])[0]
        keyed = self.random.random() < 0.3
        key = self.key() if keyed else None
        if kind == "transfer":
            a, b = self.pair()
            cents = self.amount(near)
            return Call(kind, "SELECT ledger.transfer(%s, %s, %s, %s)",
                        (a.id, b.id, money(cents, a.currency), key),
                        [(a.id, b.id, cents, a.currency)], keyed)
        if kind in ("deposit", "withdraw"):
            a = self.pair()[0]
            cents = self.amount(near)
            external = self.externals[a.currency]
            row = (external, a.id, cents, a.currency) if kind == "deposit" else \
                (a.id, external, cents, a.currency)
            return Call(kind, f"SELECT ledger.{kind}(%s, %s, %s)",
                        (a.id, money(cents, a.currency), key), [row], keyed)
        items = self.random.randint(1, max_items)
        large = set(self.random.sample(range(items), self.random.randint(1, min(3, items)))) \
            if near else set()
        rows = []
        for i in range(items):
            a, b = self.pair()
            rows.append((a.id, b.id, self.amount(i in large), a.currency))
        keys = [self.key() for _ in rows] if keyed else None
        return Call(kind,
                    "SELECT item, transfer_id FROM ledger.transfer_many(%s::bigint[], "
                    "%s::bigint[], %s::text[]::ledger.monetary[], %s::text[]) ORDER BY item",
                    ([r[0] for r in rows], [r[1] for r in rows],
                     [money(r[2], r[3]) for r in rows], keys), rows, keyed)

    def ordered_calls(self, count):
        """Calls whose accounts rise from one call to the next, or one call if none are found."""
        for _ in range(50):
            calls = [self.make_call(MULTI_ITEMS) for _ in range(count)]
            spans = sorted((((min(accounts), max(accounts)), call) for call in calls
                            for accounts in [[a for row in call.rows for a in row[:2]]]),
                           key=lambda span: span[0])
            if all(spans[i][0][1] < spans[i + 1][0][0] for i in range(count - 1)):
                return [call for _, call in spans]
        return [self.make_call(MAX_ITEMS)]

    def make_plan(self):
        """A transaction: its calls, whether it is rolled back, its isolation level, and whether
        its calls take their accounts in ascending order (so that it cannot deadlock)."""
        if self.committed_keyed and self.random.random() < 0.05:
            original, ids = self.random.choice(self.committed_keyed)
            replay = Call(original.kind, original.sql, original.args, original.rows, True)
            replay.replay_of = ids
            return [replay], False, "READ COMMITTED", True
        if self.split and self.random.random() < 0.01:
            account = self.random.choice(self.split)
            return [Call("rebalance", "SELECT ledger.rebalance(%s)", (account.id,), [])], \
                False, "READ COMMITTED", True
        shape = self.random.random()
        ordered = True
        if shape < UNORDERED:
            calls = [self.make_call(MULTI_ITEMS) for _ in range(self.random.randint(2, 3))]
            ordered = False
        elif shape < UNORDERED + ORDERED:
            calls = self.ordered_calls(self.random.randint(2, 3))
        else:
            calls = [self.make_call(MAX_ITEMS)]
        for call in calls:
            if self.random.random() < 0.25:
                call.savepoint = True
                call.rollback_savepoint = self.random.random() < 0.4
        isolation = "REPEATABLE READ" if self.random.random() < 0.1 else "READ COMMITTED"
        return calls, self.random.random() < 0.1, isolation, ordered

    def execute(self, cur, call):
        cur.execute(call.sql, call.args)
        if call.kind == "rebalance":
            return []
        if call.kind == "transfer_many":
            result = cur.fetchall()
            items = [item for item, _ in result]
            if items != list(range(1, len(call.rows) + 1)):
                self.errors.append(f"transfer_many of {len(call.rows)} items returned items "
                                   f"{items[:10]}...")
            return [transfer_id for _, transfer_id in result]
        return [cur.fetchone()[0]]

    # -- one transaction ---------------------------------------------------------------------

    def attempt(self, calls, rollback, isolation, ordered):
        """Runs the transaction once. Returns None when done, or the SQLSTATE to retry on."""
        cur = self.conn.cursor()
        began = time.monotonic()
        pending = []  # (call, ids) inside the transaction so far
        try:
            cur.execute(f"BEGIN ISOLATION LEVEL {isolation}")
            # Short, so that a deadlock of an unordered transaction stalls the others briefly;
            # those check first, so that PostgreSQL mostly breaks the cycle at them.
            cur.execute("SET LOCAL deadlock_timeout = %s", ("20ms" if ordered else "10ms",))
            for position, call in enumerate(calls):
                self.calls[call.kind] += 1
                if call.savepoint:
                    cur.execute("SAVEPOINT s")
                try:
                    ids = self.execute(cur, call)
                except psycopg2.Error as error:
                    code = error.pgcode
                    if code in REFUSED or code not in RETRY:
                        message = (error.diag.message_primary or "").strip()
                        if call.replay_of is not None:
                            self.replay_mismatches.append((call.kind, call.replay_of, [code]))
                        elif code in REFUSED:
                            self.refusals.append((code, call.kind, message,
                                                  error.diag.message_detail or "", position == 0))
                        else:
                            self.errors.append(f"{call.kind}: {code}: {message}")
                        if call.savepoint:
                            cur.execute("ROLLBACK TO SAVEPOINT s")
                            continue
                        cur.execute("ROLLBACK")
                        self.rolled_back.update(i for _, ids in pending for i in ids)
                        return None
                    raise
                if call.replay_of is not None:
                    if ids != call.replay_of:
                        self.replay_mismatches.append((call.kind, call.replay_of, ids))
                    continue  # a replay writes nothing: its ids are the original's
                if call.savepoint and call.rollback_savepoint:
                    cur.execute("ROLLBACK TO SAVEPOINT s")
                    self.rolled_back.update(ids)
                    continue
                if call.savepoint:
                    cur.execute("RELEASE SAVEPOINT s")
                pending.append((call, ids))
            if rollback:
                cur.execute("ROLLBACK")
                self.rolled_back.update(i for _, ids in pending for i in ids)
                return None
            cur.execute("COMMIT")
            if cur.statusmessage != "COMMIT":
                self.errors.append(f"COMMIT answered {cur.statusmessage}")
                self.rolled_back.update(i for _, ids in pending for i in ids)
                return None
            for call, ids in pending:
                if len(ids) != len(call.rows):
                    self.errors.append(f"{call.kind} of {len(call.rows)} transfers returned "
                                       f"{len(ids)} ids")
                for transfer_id, row in zip(ids, call.rows):
                    if transfer_id in self.acked:
                        self.errors.append(f"transfer id {transfer_id} acknowledged twice")
                    self.acked[transfer_id] = row
                if call.keyed:
                    self.committed_keyed.append((call, ids))
                self.committed_calls[call.kind] += 1
            self.transactions["committed"] += 1
            return None
        except psycopg2.Error as error:
            code = error.pgcode
            if code not in RETRY:
                self.errors.append(f"{code}: {error}".strip())
            if code == "40P01":
                detail = error.diag.message_detail or ""
                pids = {int(p) for p in re.findall(r"Process (\d+) waits", detail)}
                self.deadlocks.append((ordered, len(calls), began, time.monotonic(), pids, detail))
            try:
                cur.execute("ROLLBACK")
            except psycopg2.Error as rollback_error:
                self.errors.append(f"ROLLBACK failed: {rollback_error}")
            self.rolled_back.update(i for _, ids in pending for i in ids)
            return code if code in RETRY else None
        finally:
            self.history.append((began, time.monotonic(), ordered))

    def run(self):
        try:
            self.conn = connect()
            self.pid = self.conn.get_backend_pid()
            self.conn.cursor().execute("SET statement_timeout = %s", (STATEMENT_TIMEOUT,))
            while not stop.is_set():
                calls, rollback, isolation, ordered = self.make_plan()
                for attempt in range(1, MAX_ATTEMPTS + 1):
                    retry = self.attempt(calls, rollback, isolation, ordered)
                    if retry is None:
                        break
                    self.retries[f"{retry} {'RC' if isolation == 'READ COMMITTED' else 'RR'}"] += 1
                    if isolation != "READ COMMITTED" and attempt == RR_ATTEMPTS:
                        # Under contention a snapshot is nearly always stale by the time the
                        # call has its locks: go on as a READ COMMITTED client would.
                        isolation = "READ COMMITTED"
                        self.retries["RR gave up"] += 1
                    if not ordered and attempt == UNORDERED_ATTEMPTS:
                        self.retries["unordered gave up"] += 1
                        break
                    # A client's usual backoff, so that two retries do not meet again at once.
                    time.sleep(self.random.uniform(0, 0.002 * min(attempt, 10)))
                else:
                    summary = ", ".join(
                        f"{c.kind}({len(c.rows)})" + ("*" if c.savepoint else "") for c in calls)
                    self.errors.append(f"a transaction still met {retry} after {MAX_ATTEMPTS} "
                                       f"attempts: {isolation}: {summary}")
            self.conn.close()
        except Exception:
            self.errors.append(traceback.format_exc())


# -- checks after the run -------------------------------------------------------------------


def ordered_cycles(clients):
    """Deadlocks among ordered transactions only (single calls included): the victim's was one,
    and every other process in the cycle ran only such transactions around the time it broke."""
    by_pid = {c.pid: c for c in clients}
    found = []
    for client in clients:
        for ordered, _, began, failed, pids, detail in client.deadlocks:
            if not ordered:
                continue
            others = pids - {client.pid}
            if not others:
                continue  # no detail to go on
            excused = False
            for pid in others:
                other = by_pid.get(pid)
                if other is None:
                    excused = True  # not one of the clients: not a ledger call of this test
                    break
                overlapping = [s for b, e, s in other.history if b <= failed and e >= began]
                if not overlapping or not all(overlapping):
                    excused = True
                    break
            if not excused:
                found.append((client.name, sorted(pids), detail))
    return found


def check(clients, externals, setup_ids, last_setup_id):
    conn = connect()
    cur = conn.cursor()
    results = []

    acked = dict(setup_ids)
    twice = 0
    for client in clients:
        for transfer_id, row in client.acked.items():
            twice += transfer_id in acked
            acked[transfer_id] = row
    rolled_back = set().union(*(c.rolled_back for c in clients))
    refusals = [r for c in clients for r in c.refusals]
    errors = [(c.name, e) for c in clients for e in c.errors]
    mismatches = [m for c in clients for m in c.replay_mismatches]

    cur.execute("""SELECT id, from_account, to_account, ledger.amount(amount) * 100,
                          ledger.currency(amount) FROM ledger.transfers""")
    transfers = {row[0]: (row[1], row[2], int(row[3]), row[4]) for row in cur.fetchall()}
    moves = {i for i, row in transfers.items() if row[0] == row[1]}
    committed = {i: row for i, row in transfers.items() if i not in moves}

    cur.execute("""SELECT e.account_id, e.slot, e.account_version, e.transfer_id,
                          ledger.amount(e.amount), ledger.amount(e.balance_after)
                     FROM ledger.entries e ORDER BY 1, 2, 3""")
    entries = cur.fetchall()
    cur.execute("""SELECT account_id, slot, slots, ledger.amount(balance), version
                     FROM ledger.balances""")
    balances = {(r[0], r[1]): r[2:] for r in cur.fetchall()}
    cur.execute("""SELECT id, currency, ledger.amount(min_balance), ledger.amount(max_balance)
                     FROM ledger.accounts""")
    limits = {r[0]: r[1:] for r in cur.fetchall()}
    cur.execute("SELECT invariant, subject, detail FROM ledger.verify()")
    violations = cur.fetchall()
    conn.close()

    total_calls = sum((c.calls for c in clients), Counter())
    total_retries = sum((c.retries for c in clients), Counter())
    committed_calls = sum((c.committed_calls for c in clients), Counter())
    codes = Counter(refusal[0] for refusal in refusals)
    deadlocks = [d for c in clients for d in c.deadlocks]
    print(f"# {len(clients)} clients, {SECONDS:.0f} s; call attempts {dict(total_calls)}; "
          f"transactions committed {sum(c.transactions['committed'] for c in clients)}")
    print(f"# transfers acknowledged {len(acked) - len(setup_ids)} (plus {len(setup_ids)} at "
          f"setup), rolled back {len(rolled_back)}, refusals {dict(codes)}; slot moves "
          f"{len([m for m in moves if m > last_setup_id])} during the run")
    print(f"# retries {dict(total_retries)}; deadlocks {len(deadlocks)}, of which "
          f"{sum(1 for d in deadlocks if d[0])} broke an ordered transaction, "
          f"{sum(1 for d in deadlocks if d[1] == 1)} one of a single call")

    # 1. Errors.
    for name, error in errors[:5]:
        print(f"#   {name}: {error}")
    results.append((f"no call ended in an unexpected error ({len(errors)} did)", not errors))

    # 2. Acknowledged equals committed.
    wrong = [(i, row, committed.get(i)) for i, row in acked.items() if committed.get(i) != row]
    unknown = sorted(set(committed) - set(acked))
    for i, row, found in wrong[:5]:
        print(f"#   transfer {i}: acknowledged as {row}, ledger has {found}")
    for i in unknown[:5]:
        print(f"#   transfer {i} {committed[i]} was committed but acknowledged to no client")
    results.append((f"every acknowledged transfer is committed with the accounts and amount "
                    f"asked for ({len(wrong)} are not; {twice} ids acknowledged twice)",
                    not wrong and not twice))
    results.append((f"every committed transfer between two accounts was acknowledged "
                    f"({len(unknown)} were not)", not unknown))

    # 3. Rolled back is absent (slot moves included: a rolled-back id is nobody's).
    present = sorted(rolled_back & set(transfers))
    for i in present[:5]:
        print(f"#   transfer {i} was rolled back but exists: {transfers[i]}")
    results.append((f"no transfer of a rolled-back transaction or savepoint exists "
                    f"({len(present)} of {len(rolled_back)} do)", not present))

    # The balances each account had, in transfer-id order: its running balance after each transfer.
    net = defaultdict(Decimal)
    for account, slot, version, transfer_id, amount, after in entries:
        net[(account, transfer_id)] += amount
    per_account = defaultdict(list)
    for (account, transfer_id), amount in net.items():
        per_account[account].append((transfer_id, amount))
    history = {}
    for account in limits:
        running = Decimal(0)
        history[account] = [(0, running)]
        for transfer_id, amount in sorted(per_account.get(account, [])):
            running += amount
            history[account].append((transfer_id, running))

    # 4. Refusals.
    unexpected = [r for r in refusals if r[0] not in REFUSED or
                  (r[1] == "transfer_many" and not re.match(r"item [0-9]+:", r[2]))]
    for refusal in unexpected[:5]:
        print(f"#   refusal {refusal}")
    results.append((f"every refusal is LG101 or LG102, transfer_many's naming its item "
                    f"({len(unexpected)} are not)", not unexpected))
    # Each committed rebalance makes at most 7 moves (8 slots at most here); the rest gathered.
    run_moves = len([m for m in moves if m > last_setup_id])
    gathered = run_moves - 7 * committed_calls["rebalance"]
    results.append((f"the run reached both refusals ({codes['LG101']} LG101, {codes['LG102']} "
                    f"LG102), the slow path ({gathered} or more slot moves not made by rebalance) "
                    f"and committed every kind of call ({dict(committed_calls)})",
                    codes["LG101"] > 0 and codes["LG102"] > 0 and gathered > 0 and
                    all(committed_calls[k] > 0 for k in
                        ("transfer", "deposit", "withdraw", "transfer_many"))))

    # 5. A refusal's figures add up, and a call that refused as the first of its transaction
    # (transfer_many: at item 1) saw a balance its account really had: the running balance after
    # some transfer, as the account holds every slot it refuses with.
    unjustified = []
    checked = 0
    for code, kind, message, detail, first in refusals:
        if code not in REFUSED:
            continue
        asked = re.search(r"(?:paying|receiving) ([0-9.]+) ([A-Z]{3})", message)
        figures = re.fullmatch(
            r"account ([0-9]+) has (-?[0-9.]+) ([A-Z]{3}); "
            r"(paying would leave|receiving would make) (-?[0-9.]+) [A-Z]{3}, "
            r"(below its minimum|above its maximum) (-?[0-9.]+) [A-Z]{3}\.", detail)
        if not asked or not figures:
            unjustified.append((code, message, detail, "unparsed"))
            continue
        amount = Decimal(asked.group(1))
        account, has, after, limit = (int(figures.group(1)), Decimal(figures.group(2)),
                                      Decimal(figures.group(5)), Decimal(figures.group(7)))
        low, high = limits.get(account, (None, None, None))[1:]
        if code == "LG101":
            ok = figures.group(4).startswith("paying") and after == has - amount and \
                low is not None and limit == low and after < low
        else:
            ok = figures.group(4).startswith("receiving") and after == has + amount and \
                high is not None and limit == high and after > high
        reason = "figures do not add up to a breach"
        if ok and first and (kind != "transfer_many" or message.startswith("item 1:")):
            checked += 1
            ok = has in {balance for _, balance in history.get(account, [])}
            reason = "not a balance the account had"
        if not ok:
            unjustified.append((code, message, detail, reason))
    for refusal in unjustified[:5]:
        print(f"#   refusal {refusal}")
    results.append((f"every refusal's DETAIL adds up to a breach of the account's limit, and the "
                    f"{checked} made first in their transaction saw a balance the account had "
                    f"({len(unjustified)} do not)", not unjustified))

    # 6. Replays.
    for kind, first, again in mismatches[:5]:
        print(f"#   {kind} replayed: first {first[:5]}, again {again[:5]}")
    results.append((f"every repeated keyed call returned the original ids "
                    f"({len(mismatches)} did not)", not mismatches))

    # 7. Deadlocks among transactions that take their accounts in ascending order.
    cycles = ordered_cycles(clients)
    for name, pids, detail in cycles[:5]:
        print(f"#   {name}: deadlock among ordered transactions, processes {pids}")
        for line in detail.splitlines():
            print(f"#     {line.strip()}")
    results.append((f"no deadlock among transactions that take their accounts in ascending "
                    f"order, single calls included ({len(cycles)}; "
                    f"{sum(1 for d in deadlocks if d[0])} were broken out of a cycle with an "
                    f"unordered transaction)", not cycles))

    # 8. Under READ COMMITTED a call waits for the slots it needs; no two clients share a key.
    stale = total_retries["40001 RC"]
    results.append((f"no call under READ COMMITTED failed with 40001 ({stale} did)", not stale))

    # 9. verify().
    for row in violations[:10]:
        print(f"#   verify: {row}")
    results.append((f"ledger.verify() returns no rows ({len(violations)})", not violations))

    # 10. Every (account, slot) chain gapless and exact, ending at its balance.
    chains = defaultdict(list)
    by_transfer = defaultdict(list)
    for account, slot, version, transfer_id, amount, after in entries:
        chains[(account, slot)].append((version, transfer_id, amount, after))
        by_transfer[transfer_id].append((account, slot, amount))
    broken = []
    for key, (slots, balance, version) in balances.items():
        chain = chains.get(key, [])
        previous = Decimal(0)
        for n, (v, transfer_id, amount, after) in enumerate(chain, 1):
            if v != n or previous + amount != after:
                broken.append(f"{key} version {v} (expected {n}): {previous} + {amount} -> {after}")
                break
            previous = after
        if previous != balance or len(chain) != version:
            broken.append(f"{key}: chain ends at {previous} after {len(chain)} entries, "
                          f"balance {balance} version {version}")
        if key[1] >= slots and balance != 0:
            broken.append(f"{key}: retired slot holds {balance}")
    broken += [f"{key}: entries on a slot with no balance row" for key in chains
               if key not in balances]
    for line in broken[:5]:
        print(f"#   {line}")
    results.append((f"every (account, slot) chain has versions 1..n without gaps, each "
                    f"balance_after the previous plus its amount, the last its balance "
                    f"({len(broken)} do not)", not broken))

    # 11. Each transfer's two entries.
    bad_entries = []
    for transfer_id, (source, target, cents, _) in transfers.items():
        found = sorted(by_transfer.get(transfer_id, []), key=lambda e: e[2])
        amount = Decimal(cents) / 100
        if len(found) != 2 or found[0][0] != source or found[0][2] != -amount or \
                found[1][0] != target or found[1][2] != amount or found[0][:2] == found[1][:2]:
            bad_entries.append((transfer_id, found))
    bad_entries += [(i, by_transfer[i]) for i in by_transfer if i not in transfers]
    for transfer_id, found in bad_entries[:5]:
        print(f"#   transfer {transfer_id}: entries {found}")
    results.append((f"every transfer has its two entries, -amount on from_account and +amount "
                    f"on to_account ({len(bad_entries)} do not)", not bad_entries))

    # 12. Running balance per account in transfer-id order within its limits.
    outside = []
    for account, (currency, low, high) in limits.items():
        running = history[account][-1][1]
        for transfer_id, balance in history[account]:
            if (low is not None and balance < low) or (high is not None and balance > high):
                outside.append(f"account {account} after transfer {transfer_id}: {balance} "
                               f"outside [{low}, {high}]")
        total = sum((b[1] for k, b in balances.items() if k[0] == account), Decimal(0))
        if running != total:
            outside.append(f"account {account}: entries sum to {running}, slots to {total}")
    for line in outside[:5]:
        print(f"#   {line}")
    results.append((f"every account's running balance in transfer-id order stays within its "
                    f"limits and ends at its balance ({len(outside)} violations)", not outside))

    # 13. Currencies sum to zero.
    sums = defaultdict(Decimal)
    for (account, _), (_, balance, _) in balances.items():
        sums[limits[account][0]] += balance
    unbalanced = {c: s for c, s in sums.items() if s != 0}
    results.append((f"every currency's balances sum to zero ({unbalanced or 'all do'})",
                    not unbalanced and set(sums) >= set(externals)))
    return results


def main():
    accounts, externals, setup_ids, last_setup_id = setup()
    feed = FeedLoad(stop) if FEED else None
    if feed:
        feed.start()
    clients = [Client(n, accounts, externals) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    stop.wait(SECONDS)  # the length of the run, not a wait for any race
    stop.set()
    for client in clients:
        client.join(timeout=120)
    if any(client.is_alive() for client in clients) or (feed and not feed.join(120)):
        print("1..1\nnot ok 1 - every client, ticker and consumer ended its last transaction")
        return 1
    results = check(clients, externals, setup_ids, last_setup_id)
    if feed:
        results += feed.check(set().union(*(c.rolled_back for c in clients)))
    print(f"1..{len(results)}")
    for number, (description, ok) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {number} - {description}")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
