import random
import sys
import threading
import unittest
from decimal import Decimal

from sqlalchemy import func, or_, select

from ledgerdb import Account, InsufficientFunds, Money, Transfer
from tests.support import default_ledger, engine, open_accounts, unique

THREADS, TRANSFERS_PER_THREAD, ACCOUNTS = 8, 200, 6


class ConcurrentTransfersTest(unittest.TestCase):
    """8 threads make 200 random transfers each between 6 funded accounts, all at once; afterwards
    the ledger must balance to the cent."""

    def run_workload(self, currency, **ledger_options):
        ledger = default_ledger(**ledger_options)
        accounts = open_accounts(ledger, currency, ACCOUNTS, f"conc-{currency}")
        rng = random.Random()
        deposited = Money(0, currency)
        deposit_ids = []
        for account_id in accounts:
            amount = Money(Decimal(rng.randint(10000, 60000)) / 100, currency)
            deposit_ids.append(ledger.deposit(account_id, amount, unique("conc-dep")))
            deposited += amount

        start = threading.Barrier(THREADS)
        lock = threading.Lock()
        transfer_ids, unexpected = [], []
        refused = 0

        def client(number):
            nonlocal refused
            local_rng = random.Random(rng.random())
            start.wait()  # all clients begin together, so their transfers overlap
            for i in range(TRANSFERS_PER_THREAD):
                from_id, to_id = local_rng.sample(accounts, 2)
                amount = Money(Decimal(local_rng.randint(1, 25000)) / 100, currency)
                try:
                    transfer_id = ledger.transfer(from_id, to_id, amount,
                                                  f"{unique('conc')}-{number}-{i}",
                                                  {"client": number, "n": i})
                except InsufficientFunds:
                    with lock:
                        refused += 1
                except Exception as error:  # anything else fails the test below
                    with lock:
                        unexpected.append(repr(error))
                else:
                    with lock:
                        transfer_ids.append(transfer_id)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        self.assertEqual(unexpected, [])
        self.assertEqual(len(transfer_ids) + refused, THREADS * TRANSFERS_PER_THREAD)
        self.assertGreater(refused, 0, "the amounts are meant to overdraw now and then")

        with engine().connect() as conn:
            mine = conn.execute(select(Account).where(Account.id.in_(accounts))).all()
            # Money is conserved: what was deposited is all still in the six accounts.
            total = Money(0, currency)
            for account in mine:
                total += account.balance
            self.assertEqual(total, deposited)
            # Every currency, external account included, sums to zero. sum() is the ledger's
            # aggregate in pg_catalog; func.sum returns its argument's type, so a Money.
            sums = conn.execute(select(Account.currency, func.sum(Account.balance))
                                .group_by(Account.currency)).all()
            for code, currency_sum in sums:
                self.assertIsInstance(currency_sum, Money)
                self.assertEqual(currency_sum, Money(0, code), code)
            # One row per deposit and per successful transfer, and nothing else on these accounts.
            rows = conn.scalar(select(func.count()).select_from(Transfer).where(
                or_(Transfer.from_account.in_(accounts), Transfer.to_account.in_(accounts))))
            self.assertEqual(rows, len(deposit_ids) + len(transfer_ids))
            self.assertEqual(len(set(transfer_ids)), len(transfer_ids))
            present = conn.scalar(select(func.count()).select_from(Transfer)
                                  .where(Transfer.id.in_(transfer_ids)))
            self.assertEqual(present, len(transfer_ids))
            # No overdraft: checked on the server with the ledger's own operator...
            overdrawn = conn.scalar(select(func.count()).select_from(Account)
                                    .where(Account.balance < Account.min_balance))
            self.assertEqual(overdrawn, 0)
            # ...and on the client with Money's.
            for account in mine:
                self.assertGreaterEqual(account.balance, account.min_balance)
            self.assertEqual(conn.scalar(select(func.count()).select_from(func.ledger.verify())), 0)
        return ledger, len(transfer_ids), refused

    def test_read_committed(self):
        ledger, done, refused = self.run_workload("CHF")
        print(f"\n  read committed: {done} transfers, {refused} insufficient funds, "
              f"{ledger.retries} retries", file=sys.stderr)
        # Ledger calls lock in id order and wait for each other: nothing to retry.
        self.assertEqual(ledger.retries, 0)

    def test_serializable(self):
        ledger, done, refused = self.run_workload(
            "NOK", isolation_level="SERIALIZABLE", max_attempts=50)
        print(f"\n  serializable: {done} transfers, {refused} insufficient funds, "
              f"{ledger.retries} retries", file=sys.stderr)
        self.assertGreater(ledger.retries, 0, "eight clients on six accounts should collide")


if __name__ == "__main__":
    unittest.main()
