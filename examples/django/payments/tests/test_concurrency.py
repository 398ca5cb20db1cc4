import random
import threading
from decimal import Decimal

from django.db import connections
from django.db.models import Q, Sum
from django.test import TransactionTestCase

from payments import service, signals
from payments.errors import InsufficientFunds
from payments.models import Account, Transfer
from payments.service import RetryPolicy

from .helpers import funded_account, scalar, unique, usd

THREADS = 8
TRANSFERS_PER_THREAD = 200
DEPOSIT = usd('1000.00')


class ConcurrentTransferTests(TransactionTestCase):
    """8 threads, 200 random transfers each, between 6 accounts; then the books must balance."""

    databases = {'default', 'serializable'}

    def test_read_committed(self):
        retries = self.run_clients('default', RetryPolicy())
        # READ COMMITTED waits for row locks instead of failing, and the ledger always locks
        # in id order, so there is nothing to retry.
        self.assertEqual(retries, 0)

    def test_serializable_retries(self):
        # Generous attempts, tiny sleeps: 8 clients on 6 accounts collide all the time.
        retries = self.run_clients('serializable',
                                   RetryPolicy(max_attempts=50, base_delay=0.001, max_delay=0.02))
        self.assertGreater(retries, 0)

    def run_clients(self, using, policy):
        accounts = [funded_account(DEPOSIT) for _ in range(5)]
        accounts.append(funded_account(DEPOSIT, min_balance=usd('-200.00')))  # a credit line
        deposits = len(accounts)
        run = unique('run')

        retries = []
        lock = threading.Lock()

        def count_retry(sqlstate, **kwargs):
            with lock:
                retries.append(sqlstate)
        signals.retrying.connect(count_retry)
        self.addCleanup(signals.retrying.disconnect, count_retry)

        start = threading.Barrier(THREADS)
        results = [None] * THREADS

        def client(n):
            rng = random.Random(f'{run}-{n}')
            ids, refused, failures = [], 0, []
            try:
                start.wait(timeout=60)
                for i in range(TRANSFERS_PER_THREAD):
                    source, target = rng.sample(accounts, 2)
                    amount = usd(Decimal(rng.randint(1, 50000)).scaleb(-2))  # 0.01 to 500.00
                    try:
                        ids.append(service.transfer(source, target, amount, f'{run}-{n}-{i}',
                                                    using=using, policy=policy))
                    except InsufficientFunds:
                        refused += 1
            except Exception as exc:  # reported by the main thread
                failures.append(exc)
            finally:
                # Django's connections are per thread: each thread must close its own.
                connections.close_all()
            results[n] = (ids, refused, failures)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        self.assertEqual([f for _, _, fs in results for f in fs], [])
        ids = [i for thread_ids, _, _ in results for i in thread_ids]
        refused = sum(r for _, r, _ in results)
        self.assertEqual(len(ids) + refused, THREADS * TRANSFERS_PER_THREAD)
        print(f'\n  {using}: {len(ids)} transfers, {refused} refused for insufficient funds, '
              f'{len(retries)} retries ({retries.count("40001")} x 40001, '
              f'{retries.count("40P01")} x 40P01)', end=' ', flush=True)

        # Other tests' accounts share the test database (and external:USD), so the per-run
        # checks look at this run's accounts; the per-currency and verify() checks are global.
        mine = Account.objects.filter(pk__in=accounts)
        self.assertEqual(mine.aggregate(total=Sum('balance'))['total'],
                         usd(DEPOSIT.amount * deposits))  # money conserved
        for row in Account.objects.values('currency').annotate(total=Sum('balance')):
            self.assertEqual(row['total'].amount, 0, row)
        touching = Transfer.objects.filter(
            Q(from_account__in=accounts) | Q(to_account__in=accounts))
        self.assertEqual(touching.count(), deposits + len(ids))
        self.assertEqual(len(set(ids)), len(ids))
        self.assertEqual(Transfer.objects.filter(pk__in=ids).count(), len(ids))
        for account in mine:
            self.assertGreaterEqual(account.balance, account.min_balance, account.name)
        self.assertEqual(scalar('SELECT count(*) FROM ledger.verify()'), 0)
        return len(retries)
