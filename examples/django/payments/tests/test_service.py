from decimal import Decimal

from django.test import TransactionTestCase

from payments import service
from payments.errors import (
    AboveMaxBalance, AccountCurrencyMismatch, DuplicateAccount, ExternalAccount,
    IdempotencyConflict, InsufficientFunds, InvalidArgument, NonPositiveAmount, SameAccount,
    SplitAccount, UnknownAccount, VersionConflict)
from payments.models import Account, Transfer
from payments.money import Money

from .helpers import funded_account, scalar, unique, usd


# TransactionTestCase: the service commits for real, as it would in a view. Ledger tables are
# unmanaged, so Django never tries to flush them (they refuse TRUNCATE: LG110, LG111).
class ServiceTests(TransactionTestCase):
    def setUp(self):
        self.payer = funded_account(usd('100.00'))
        self.payee = funded_account()
        self.capped = funded_account(max_balance=usd('50.00'))

    def state(self):
        """Everything a refused call must leave alone."""
        ids = [self.payer, self.payee, self.capped]
        return ({a.pk: (a.balance, a.version) for a in Account.objects.filter(pk__in=ids)},
                Transfer.objects.count())

    def assertRefused(self, error, sqlstate, call):
        before = self.state()
        with self.assertRaises(error) as caught:
            call()
        self.assertEqual(caught.exception.sqlstate, sqlstate)
        self.assertEqual(self.state(), before)
        return caught.exception

    def assertNamesOnlyWhatWasSent(self, error, message):
        """LG101, LG102, LG107 and LG108 name only the caller's own arguments; the balance, limit,
        version or earlier transfer is in the DETAIL, which the server sends only to roles that
        may read ledger.accounts and ledger.balances (the tests' role may)."""
        self.assertEqual(str(error), message)
        self.assertTrue(error.__cause__.__cause__.diag.message_detail)  # Django's, then psycopg2's

    def test_reads_a_balance_through_the_orm_as_money(self):
        account = Account.objects.get(pk=self.payer)
        self.assertEqual(account.balance, Money(Decimal('100.00'), 'USD'))
        self.assertIsInstance(account.balance.amount, Decimal)
        self.assertEqual(str(account.balance), '100.00 USD')
        self.assertEqual(account.min_balance, usd('0.00'))  # '0 XXX' became zero dollars
        self.assertEqual(Account.objects.get(pk=self.capped).max_balance, usd('50.00'))
        self.assertEqual(service.balance(self.payer), usd('100.00'))
        external = Account.objects.get(name='external:USD')
        self.assertTrue(external.is_external)
        self.assertLess(external.balance, usd('0'))

    def test_transfer_deposit_withdraw(self):
        key = unique('t')
        transfer_id = service.transfer(self.payer, self.payee, usd('30.00'), key, {'order': 17})
        service.withdraw(self.payee, usd('10.00'), unique('w'))
        service.deposit(self.payee, usd('0.01'), unique('d'))
        self.assertEqual(service.balance(self.payer), usd('70.00'))
        self.assertEqual(service.balance(self.payee), usd('20.01'))
        row = Transfer.objects.get(idempotency_key=key)
        self.assertEqual((row.pk, row.from_account_id, row.to_account_id, row.amount, row.metadata),
                         (transfer_id, self.payer, self.payee, usd('30.00'), {'order': 17}))
        debits = Account.objects.get(pk=self.payer).debits.values_list('pk', flat=True)
        self.assertEqual(list(debits), [transfer_id])

    def test_same_key_twice_is_one_transfer(self):
        key = unique('t')
        first = service.transfer(self.payer, self.payee, usd('5.00'), key)
        second = service.transfer(self.payer, self.payee, usd('5.00'), key)
        self.assertEqual(first, second)
        self.assertEqual(Transfer.objects.filter(idempotency_key=key).count(), 1)
        self.assertEqual(service.balance(self.payer), usd('95.00'))
        deposit_key = unique('d')
        self.assertEqual(service.deposit(self.payee, usd('1.00'), deposit_key),
                         service.deposit(self.payee, usd('1.00'), deposit_key))
        self.assertEqual(service.balance(self.payee), usd('6.00'))

    def test_insufficient_funds(self):
        expected = (f'insufficient funds: paying 100.01 USD would take account {self.payer} '
                    'below its minimum balance')
        error = self.assertRefused(InsufficientFunds, 'LG101', lambda: service.transfer(
            self.payer, self.payee, usd('100.01'), unique('t')))
        self.assertNamesOnlyWhatWasSent(error, expected)
        error = self.assertRefused(InsufficientFunds, 'LG101', lambda: service.withdraw(
            self.payer, usd('100.01'), unique('w')))
        self.assertNamesOnlyWhatWasSent(error, expected)

    def test_above_max_balance(self):
        error = self.assertRefused(AboveMaxBalance, 'LG102', lambda: service.transfer(
            self.payer, self.capped, usd('50.01'), unique('t')))
        self.assertNamesOnlyWhatWasSent(
            error, f'receiving 50.01 USD would take account {self.capped} above its maximum balance')

    def test_account_currency_mismatch(self):
        self.assertRefused(AccountCurrencyMismatch, 'LG103', lambda: service.transfer(
            self.payer, self.payee, Money('1.00', 'EUR'), unique('t')))

    def test_unknown_account(self):
        self.assertRefused(UnknownAccount, 'LG104', lambda: service.transfer(
            self.payer, 2 ** 62, usd('1.00'), unique('t')))
        self.assertRefused(UnknownAccount, 'LG104', lambda: service.balance(2 ** 62))

    def test_same_account(self):
        self.assertRefused(SameAccount, 'LG105', lambda: service.transfer(
            self.payer, self.payer, usd('1.00'), unique('t')))

    def test_non_positive_amount(self):
        for amount in ('0.00', '-1.00'):
            self.assertRefused(NonPositiveAmount, 'LG106', lambda: service.transfer(
                self.payer, self.payee, usd(amount), unique('t')))

    def test_idempotency_conflict(self):
        key = unique('t')
        original = service.transfer(self.payer, self.payee, usd('5.00'), key)
        error = self.assertRefused(IdempotencyConflict, 'LG107', lambda: service.transfer(
            self.payer, self.payee, usd('6.00'), key))
        self.assertNamesOnlyWhatWasSent(
            error, f'idempotency key "{key}" was already used with other arguments')
        row = Transfer.objects.get(idempotency_key=key)
        self.assertEqual((row.pk, row.amount), (original, usd('5.00')))

    def test_version_conflict(self):
        version = Account.objects.get(pk=self.payer).version
        error = self.assertRefused(VersionConflict, 'LG108', lambda: service.transfer(
            self.payer, self.payee, usd('1.00'), unique('t'), expected_version=version + 1))
        self.assertNamesOnlyWhatWasSent(
            error, f'account {self.payer} is not at the expected version {version + 1}')
        service.transfer(self.payer, self.payee, usd('1.00'), unique('t'), expected_version=version)
        self.assertEqual(Account.objects.get(pk=self.payer).version, version + 1)

    def test_transfer_many(self):
        keys = [unique('batch') for _ in range(3)]
        batch = [(self.payer, self.payee, usd('30.00'), keys[0], {'line': 1}),
                 (self.payee, self.capped, usd('20.00'), keys[1]),
                 (self.payer, self.capped, usd('5.00'), keys[2], None)]
        ids = service.transfer_many(batch)
        self.assertEqual(len(ids), 3)
        self.assertEqual(ids, sorted(ids))  # applied and numbered in the order given
        rows = Transfer.objects.filter(pk__in=ids).order_by('pk')
        self.assertEqual(
            [(r.pk, r.from_account_id, r.to_account_id, r.amount, r.idempotency_key, r.metadata)
             for r in rows],
            [(ids[0], self.payer, self.payee, usd('30.00'), keys[0], {'line': 1}),
             (ids[1], self.payee, self.capped, usd('20.00'), keys[1], None),
             (ids[2], self.payer, self.capped, usd('5.00'), keys[2], None)])
        balances = {self.payer: usd('65.00'), self.payee: usd('10.00'), self.capped: usd('25.00')}
        for account in Account.objects.filter(pk__in=balances):
            self.assertEqual(account.balance, balances[account.pk], account.name)
        self.assertEqual(service.transfer_many(batch), ids)  # the keys: same ids, nothing new
        self.assertEqual(service.balance(self.payer), usd('65.00'))
        self.assertEqual(Transfer.objects.filter(idempotency_key__in=keys).count(), 3)

    def test_transfer_many_is_all_or_nothing(self):
        error = self.assertRefused(InsufficientFunds, 'LG101', lambda: service.transfer_many([
            (self.payer, self.payee, usd('60.00'), unique('batch')),
            (self.payer, self.payee, usd('60.00'), unique('batch'))]))
        self.assertTrue(str(error).startswith('item 2: insufficient funds'), str(error))

    def test_split_account_has_no_version(self):
        scalar('SELECT ledger.split_account(%s, 2)', [self.payer])
        account = Account.objects.get(pk=self.payer)
        self.assertEqual((account.balance, account.slots, account.version), (usd('100.00'), 2, None))
        self.assertRefused(SplitAccount, 'LG113', lambda: service.transfer(
            self.payer, self.payee, usd('1.00'), unique('t'), expected_version=1))
        external = Account.objects.get(name='external:USD')
        self.assertEqual((external.slots, external.version), (16, None))

    def test_external_account(self):
        external = Account.objects.get(name='external:USD').pk
        self.assertRefused(ExternalAccount, 'LG112', lambda: service.transfer(
            external, self.payee, usd('1.00'), unique('t')))

    def test_duplicate_account(self):
        name = Account.objects.get(pk=self.payer).name
        self.assertRefused(DuplicateAccount, 'LG109', lambda: service.create_account(name, 'USD'))

    def test_malformed_money_is_refused_by_the_server(self):
        error = self.assertRefused(InvalidArgument, '22P02', lambda: service.transfer(
            self.payer, self.payee, usd('0.001'), unique('t')))
        self.assertIn('USD has 2 decimal places', str(error))

    def test_floats_never_reach_the_server(self):
        with self.assertRaises(TypeError):
            service.transfer(self.payer, self.payee, 1.5, unique('t'))
