from django.db import connections, transaction
from django.test import TransactionTestCase

from payments import service, signals
from payments.errors import TransactionConflict
from payments.models import Transfer
from payments.service import RetryPolicy

from .helpers import funded_account, unique, usd

TINY = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002)


class RetryTests(TransactionTestCase):
    """A 40001 made to order: no race, no sleep.

    The service runs on the 'serializable' alias. At the start of each attempt (the
    attempt_started signal) the test reads the paying account on the service's own connection,
    which fixes the transaction's snapshot, then commits a rival transfer on that account
    through the 'default' alias, a separate connection in autocommit. The service's
    ledger.transfer() then finds the row changed since its snapshot and gets 40001.
    """

    databases = {'default', 'serializable'}

    def setUp(self):
        self.payer = funded_account(usd('100.00'))
        self.payee = funded_account()
        self.attempts, self.isolation, self.retries = [], [], []
        self.rival_on = set()  # attempts during which a rival transfer commits
        signals.attempt_started.connect(self.on_attempt)
        signals.retrying.connect(self.on_retry)

    def tearDown(self):
        signals.attempt_started.disconnect(self.on_attempt)
        signals.retrying.disconnect(self.on_retry)

    def on_attempt(self, attempt, using, **kwargs):
        if using != 'serializable':
            return
        self.attempts.append(attempt)
        with connections['serializable'].cursor() as cursor:
            cursor.execute('SHOW transaction_isolation')
            self.isolation.append(cursor.fetchone()[0])
            cursor.execute('SELECT balance FROM ledger.balances WHERE account_id = %s',
                           [self.payer])
        if attempt in self.rival_on:
            with connections['default'].cursor() as cursor:
                cursor.execute("SELECT ledger.transfer(%s, %s, '1.00 USD', %s)",
                               [self.payer, self.payee, unique('rival')])

    def on_retry(self, attempt, sqlstate, using, **kwargs):
        self.retries.append((attempt, sqlstate, using))

    def test_one_serialization_failure_is_retried_once(self):
        self.rival_on = {1}
        key = unique('t')
        transfer_id = service.transfer(self.payer, self.payee, usd('10.00'), key,
                                       using='serializable', policy=TINY)
        self.assertEqual(self.attempts, [1, 2])
        self.assertEqual(self.isolation, ['serializable', 'serializable'])
        self.assertEqual(self.retries, [(1, '40001', 'serializable')])
        rows = Transfer.objects.filter(idempotency_key=key).values_list('pk', flat=True)
        self.assertEqual(list(rows), [transfer_id])
        self.assertEqual(service.balance(self.payer), usd('89.00'))
        self.assertEqual(service.balance(self.payee), usd('11.00'))

    def test_gives_up_after_max_attempts(self):
        self.rival_on = {1, 2, 3}
        key = unique('t')
        with self.assertRaises(TransactionConflict) as caught:
            service.transfer(self.payer, self.payee, usd('10.00'), key,
                             using='serializable', policy=TINY)
        self.assertEqual((caught.exception.sqlstate, caught.exception.attempts), ('40001', 3))
        self.assertEqual(self.attempts, [1, 2, 3])
        self.assertEqual([r[0] for r in self.retries], [1, 2])
        self.assertFalse(Transfer.objects.filter(idempotency_key=key).exists())
        self.assertEqual(service.balance(self.payer), usd('97.00'))  # the three rivals only

    def test_inside_the_callers_transaction_only_the_caller_can_retry(self):
        self.rival_on = {1}
        key = unique('t')
        with transaction.atomic(using='serializable'):
            with self.assertRaises(TransactionConflict) as caught:
                service.transfer(self.payer, self.payee, usd('10.00'), key,
                                 using='serializable', policy=TINY)
        self.assertEqual((caught.exception.sqlstate, caught.exception.attempts), ('40001', 1))
        self.assertEqual((self.attempts, self.retries), ([1], []))
        self.assertFalse(Transfer.objects.filter(idempotency_key=key).exists())
        self.assertEqual(service.balance(self.payer), usd('99.00'))
