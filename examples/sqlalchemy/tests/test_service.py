import threading
import time
import unittest

from sqlalchemy import func, select, text

from ledgerdb import (
    AboveMaxBalance, Account, AccountCurrencyMismatch, Balance, ExternalAccount,
    IdempotencyConflict, InsufficientFunds, InvalidInput, LedgerError, Money, NonPositiveAmount,
    RetriesExhausted, SameAccount, SplitAccount, Transfer, UnknownAccount, VersionConflict,
)
from tests.support import (
    balances, default_ledger, engine, fund, nothing_written, open_accounts, transfer_count,
    transfers_with_key, unique, usd,
)


class ErrorMappingTest(unittest.TestCase):
    """Each refusal arrives as its own exception class with the server's SQLSTATE, and writes nothing."""

    @classmethod
    def setUpClass(cls):
        cls.ledger = default_ledger()
        cls.a, cls.b = open_accounts(cls.ledger, "USD", 2, "err")
        cls.capped = cls.ledger.create_account(unique("capped"), "USD", max_balance=usd("150.00"))
        cls.eur = cls.ledger.create_account(unique("eur"), "EUR")
        fund(cls.ledger, [cls.a, cls.b, cls.capped], usd("100.00"))
        with cls.ledger.Session() as session:
            cls.external = session.scalar(select(Account.id).where(
                Account.is_external, Account.currency == "USD"))
        cls.accounts = [cls.a, cls.b, cls.capped, cls.eur, cls.external]

    def assertRefused(self, error_class, sqlstate, call, *args, **kwargs):
        key = unique("refused")
        with nothing_written(self, self.accounts):
            with self.assertRaises(error_class) as raised:
                call(*args, idempotency_key=key, **kwargs)
        self.assertIsInstance(raised.exception, LedgerError)
        self.assertEqual(raised.exception.sqlstate, sqlstate)
        self.assertEqual(transfers_with_key(key), [])
        return raised.exception

    def assertNamesOnlyWhatWasSent(self, error, message):
        """The message of LG101, LG102, LG107 and LG108 names only the caller's own arguments;
        the balance, limit, version or earlier transfer is in the DETAIL, which the server sends
        only to roles that may read ledger.accounts and ledger.balances (the tests' role may)."""
        self.assertEqual(str(error), message)
        self.assertTrue(error.__cause__.orig.diag.message_detail)

    def test_insufficient_funds(self):
        error = self.assertRefused(InsufficientFunds, "LG101", self.ledger.transfer,
                                   self.a, self.b, usd("100.01"))
        self.assertNamesOnlyWhatWasSent(
            error, f"insufficient funds: paying 100.01 USD would take account {self.a} "
                   "below its minimum balance")

    def test_insufficient_funds_on_withdraw(self):
        error = self.assertRefused(InsufficientFunds, "LG101", self.ledger.withdraw,
                                   self.a, usd("500.00"))
        self.assertNamesOnlyWhatWasSent(
            error, f"insufficient funds: paying 500.00 USD would take account {self.a} "
                   "below its minimum balance")

    def test_above_max_balance(self):
        error = self.assertRefused(AboveMaxBalance, "LG102", self.ledger.transfer,
                                   self.a, self.capped, usd("50.01"))
        self.assertNamesOnlyWhatWasSent(
            error, f"receiving 50.01 USD would take account {self.capped} above its maximum balance")

    def test_account_currency_mismatch(self):
        self.assertRefused(AccountCurrencyMismatch, "LG103", self.ledger.transfer,
                           self.a, self.b, Money("1.00", "EUR"))
        self.assertRefused(AccountCurrencyMismatch, "LG103", self.ledger.transfer,
                           self.a, self.eur, usd("1.00"))

    def test_unknown_account(self):
        self.assertRefused(UnknownAccount, "LG104", self.ledger.transfer,
                           self.a, 2 ** 62, usd("1.00"))

    def test_same_account(self):
        self.assertRefused(SameAccount, "LG105", self.ledger.transfer, self.a, self.a, usd("1.00"))

    def test_non_positive_amount(self):
        self.assertRefused(NonPositiveAmount, "LG106", self.ledger.transfer,
                           self.a, self.b, usd("0.00"))
        self.assertRefused(NonPositiveAmount, "LG106", self.ledger.transfer,
                           self.a, self.b, usd("-5.00"))

    def test_idempotency_conflict(self):
        key = unique("conflict")
        first = self.ledger.transfer(self.a, self.b, usd("1.00"), key)
        with nothing_written(self, self.accounts):
            with self.assertRaises(IdempotencyConflict) as raised:
                self.ledger.transfer(self.a, self.b, usd("2.00"), key)
        self.assertEqual(raised.exception.sqlstate, "LG107")
        self.assertNamesOnlyWhatWasSent(
            raised.exception, f'idempotency key "{key}" was already used with other arguments')
        self.assertEqual([t.id for t in transfers_with_key(key)], [first])
        self.ledger.transfer(self.b, self.a, usd("1.00"), unique("undo"))  # keep a's balance

    def test_version_conflict(self):
        version = balances([self.a])[self.a][1]
        error = self.assertRefused(VersionConflict, "LG108", self.ledger.transfer,
                                   self.a, self.b, usd("1.00"), expected_version=version - 1)
        self.assertNamesOnlyWhatWasSent(
            error, f"account {self.a} is not at the expected version {version - 1}")

    def test_expected_version_accepted_when_current(self):
        version = balances([self.a])[self.a][1]
        self.ledger.transfer(self.a, self.b, usd("1.00"), unique("v"), expected_version=version)
        self.ledger.transfer(self.b, self.a, usd("1.00"), unique("v-undo"))

    def test_external_account(self):
        self.assertRefused(ExternalAccount, "LG112", self.ledger.transfer,
                           self.external, self.a, usd("1.00"))

    def test_amount_with_too_many_decimals(self):
        self.assertRefused(InvalidInput, "22P02", self.ledger.transfer,
                           self.a, self.b, usd("0.001"))

    def test_key_longer_than_255_bytes(self):
        with nothing_written(self, self.accounts), self.assertRaises(InvalidInput) as raised:
            self.ledger.transfer(self.a, self.b, usd("1.00"), "k" * 256)
        self.assertEqual(raised.exception.sqlstate, "22023")

    def test_client_side_refusals(self):
        with nothing_written(self, self.accounts):
            with self.assertRaises(TypeError):
                self.ledger.transfer(self.a, self.b, 1.00, unique("float"))
            with self.assertRaises(ValueError):
                self.ledger.transfer(self.a, self.b, usd("1.00"), None)


class IdempotencyTest(unittest.TestCase):
    def test_same_key_twice_makes_one_transfer(self):
        ledger = default_ledger()
        a, b = open_accounts(ledger, "USD", 2, "idem")
        fund(ledger, [a], usd("50.00"))
        key, metadata = unique("order"), {"invoice": 17}
        count = transfer_count()
        first = ledger.transfer(a, b, usd("30.00"), key, metadata)
        second = ledger.transfer(a, b, usd("30.00"), key, metadata)
        self.assertEqual(first, second)
        self.assertEqual(transfer_count(), count + 1)
        [row] = transfers_with_key(key)
        self.assertEqual((row.id, row.amount, row.meta), (first, usd("30.00"), metadata))
        self.assertEqual({k: v[0] for k, v in balances([a, b]).items()},
                         {a: usd("20.00"), b: usd("30.00")})

    def test_deposit_and_withdraw_are_idempotent_too(self):
        ledger = default_ledger()
        [a] = open_accounts(ledger, "USD", 1, "idem-dw")
        key = unique("dep")
        self.assertEqual(ledger.deposit(a, usd("10.00"), key), ledger.deposit(a, usd("10.00"), key))
        key = unique("wd")
        self.assertEqual(ledger.withdraw(a, usd("4.00"), key), ledger.withdraw(a, usd("4.00"), key))
        self.assertEqual(balances([a])[a], (usd("6.00"), 2))


class TransferManyTest(unittest.TestCase):
    def setUp(self):
        self.ledger = default_ledger()
        self.a, self.b, self.c = open_accounts(self.ledger, "USD", 3, "many")
        fund(self.ledger, [self.a], usd("100.00"))

    def test_ids_rows_and_balances(self):
        keys = [unique("batch") for _ in range(3)]
        batch = [(self.a, self.b, usd("30.00"), keys[0], {"line": 1}),
                 (self.b, self.c, usd("20.00"), keys[1]),
                 (self.a, self.c, usd("5.00"), keys[2], None)]
        ids = self.ledger.transfer_many(batch)
        self.assertEqual(len(ids), 3)
        self.assertEqual(ids, sorted(ids))  # applied and numbered in the order given
        with self.ledger.Session() as session:
            rows = session.scalars(select(Transfer).where(Transfer.id.in_(ids))
                                   .order_by(Transfer.id)).all()
        self.assertEqual(
            [(t.id, t.from_account, t.to_account, t.amount, t.idempotency_key, t.meta)
             for t in rows],
            [(ids[0], self.a, self.b, usd("30.00"), keys[0], {"line": 1}),
             (ids[1], self.b, self.c, usd("20.00"), keys[1], None),
             (ids[2], self.a, self.c, usd("5.00"), keys[2], None)])
        expected = {self.a: (usd("65.00"), 3), self.b: (usd("10.00"), 2),
                    self.c: (usd("25.00"), 2)}
        self.assertEqual(balances([self.a, self.b, self.c]), expected)
        # The same keys again: the same ids, and nothing moves.
        self.assertEqual(self.ledger.transfer_many(batch), ids)
        self.assertEqual(balances([self.a, self.b, self.c]), expected)

    def test_all_or_nothing(self):
        with nothing_written(self, [self.a, self.b, self.c]):
            with self.assertRaises(InsufficientFunds) as raised:
                self.ledger.transfer_many([(self.a, self.b, usd("60.00"), unique("batch")),
                                           (self.a, self.c, usd("60.00"), unique("batch"))])
        self.assertEqual(raised.exception.sqlstate, "LG101")
        self.assertTrue(str(raised.exception).startswith("item 2: insufficient funds"),
                        str(raised.exception))


class SlotTest(unittest.TestCase):
    def test_a_split_account_has_slots_and_no_version(self):
        ledger = default_ledger()
        a, b = open_accounts(ledger, "USD", 2, "split")
        fund(ledger, [a], usd("100.00"))
        with ledger.Session() as session, session.begin():
            session.execute(select(func.ledger.split_account(a, 4)))
        with ledger.Session() as session:
            account = session.get(Account, a)
            self.assertEqual((account.balance, account.slots, account.version),
                             (usd("100.00"), 4, None))
            slots = session.scalars(select(Balance).where(Balance.account_id == a)
                                    .order_by(Balance.slot)).all()
            self.assertEqual([s.slot for s in slots], [0, 1, 2, 3])
            total = Money(0, "USD")
            for slot in slots:
                total += slot.balance
            self.assertEqual(total, usd("100.00"))
            external = session.scalar(select(Account).where(
                Account.is_external, Account.currency == "USD"))
            self.assertEqual((external.slots, external.version), (16, None))
        with nothing_written(self, [a, b]), self.assertRaises(SplitAccount) as raised:
            ledger.transfer(a, b, usd("1.00"), unique("v"), expected_version=1)
        self.assertEqual(raised.exception.sqlstate, "LG113")


class RetryTest(unittest.TestCase):
    """Forces serialization failures at a known moment: the service's transaction reads account
    `a` (taking its snapshot), then another connection commits a transfer touching `a`, so the
    service's ledger.transfer() on `a` raises 40001."""

    def setUp(self):
        self.setup_ledger = default_ledger()  # READ COMMITTED, on other connections
        self.a, self.b, self.c = open_accounts(self.setup_ledger, "USD", 3, "retry")
        fund(self.setup_ledger, [self.a], usd("100.00"))
        self.attempts = []

    def interfere_on(self, attempts_to_spoil):
        def before_call(session, attempt):
            self.attempts.append(attempt)
            self.assertEqual(session.execute(text("SHOW transaction_isolation")).scalar(),
                             "serializable")
            session.execute(select(Account.balance).where(Account.id == self.a))  # the snapshot
            if attempt in attempts_to_spoil:
                self.setup_ledger.transfer(self.a, self.c, usd("10.00"), unique("interfere"))
        return before_call

    def test_retries_exactly_once_after_one_serialization_failure(self):
        ledger = default_ledger(isolation_level="SERIALIZABLE", before_call=self.interfere_on({1}))
        key = unique("retried")
        transfer_id = ledger.transfer(self.a, self.b, usd("25.00"), key)
        self.assertEqual(self.attempts, [1, 2])
        self.assertEqual(ledger.retries, 1)
        self.assertEqual([t.id for t in transfers_with_key(key)], [transfer_id])
        self.assertEqual({k: v[0] for k, v in balances([self.a, self.b, self.c]).items()},
                         {self.a: usd("65.00"), self.b: usd("25.00"), self.c: usd("10.00")})

    def test_gives_up_after_max_attempts(self):
        ledger = default_ledger(isolation_level="SERIALIZABLE", max_attempts=3,
                                before_call=self.interfere_on({1, 2, 3}))
        key = unique("exhausted")
        with self.assertRaises(RetriesExhausted) as raised:
            ledger.transfer(self.a, self.b, usd("25.00"), key)
        self.assertEqual(raised.exception.sqlstate, "40001")
        self.assertEqual(self.attempts, [1, 2, 3])
        self.assertEqual(ledger.retries, 2)
        self.assertEqual(transfers_with_key(key), [])
        self.assertEqual({k: v[0] for k, v in balances([self.a, self.b, self.c]).items()},
                         {self.a: usd("70.00"), self.b: usd("0.00"), self.c: usd("30.00")})

    def test_deadlock_is_retried(self):
        # Two ledger calls never deadlock (they lock in account order), but a ledger call can
        # deadlock with other statements of its transaction. A transfer locks a slot of each
        # account, its row in ledger.balances; a and b have one slot each. Here the first attempt
        # holds b's slot, another transaction holds a's and waits for b's, then the attempt's
        # transfer waits for a's.
        # The short deadlock_timeout on this side makes it the one the detector aborts (40P01).
        holder_ready, holder_pid, holder_result = threading.Event(), [], []

        def hold_a_then_b():
            try:
                with self.setup_ledger.Session() as other, other.begin():
                    other.execute(text("SET LOCAL deadlock_timeout = '10min'"))
                    holder_pid.append(other.scalar(text("SELECT pg_backend_pid()")))
                    other.execute(select(Balance.slot).where(Balance.account_id == self.a)
                                  .with_for_update())
                    holder_ready.set()
                    other.execute(select(Balance.slot).where(Balance.account_id == self.b)
                                  .with_for_update())
                holder_result.append("committed")
            except Exception as error:  # reported by the assertion below
                holder_result.append(error)
            finally:
                holder_ready.set()

        holder = threading.Thread(target=hold_a_then_b)

        def before_call(session, attempt):
            self.attempts.append(attempt)
            if attempt == 1:
                session.execute(text("SET LOCAL deadlock_timeout = '10ms'"))
                my_pid = session.scalar(text("SELECT pg_backend_pid()"))
                session.execute(select(Balance.slot).where(Balance.account_id == self.b)
                                .with_for_update())
                holder.start()
                self.assertTrue(holder_ready.wait(60))
                wait_until_blocked(holder_pid[0], my_pid)

        ledger = default_ledger(before_call=before_call)
        key = unique("deadlock")
        try:
            transfer_id = ledger.transfer(self.a, self.b, usd("5.00"), key)
        finally:
            holder.join(60)
        self.assertEqual(holder_result, ["committed"])
        self.assertEqual((self.attempts, ledger.retries), ([1, 2], 1))
        self.assertEqual([t.id for t in transfers_with_key(key)], [transfer_id])
        self.assertEqual({k: v[0] for k, v in balances([self.a, self.b]).items()},
                         {self.a: usd("95.00"), self.b: usd("5.00")})


def wait_until_blocked(pid, by_pid, deadline_seconds=60):
    """Polls pg_blocking_pids() on a separate connection, as PostgreSQL's isolation tester does."""
    deadline = time.monotonic() + deadline_seconds
    with engine().connect() as conn:
        while by_pid not in conn.scalar(text("SELECT pg_blocking_pids(:pid)"), {"pid": pid}):
            if time.monotonic() > deadline:
                raise AssertionError(f"backend {pid} never waited for {by_pid}")
            conn.rollback()

if __name__ == "__main__":
    unittest.main()
