import itertools
import uuid

from django.db import connections

from payments import service
from payments.money import Money

_counter = itertools.count()


def unique(prefix):
    # Ledger rows are never deleted (TransactionTestCase cannot flush them), so every test
    # names its accounts and keys afresh.
    return f'{prefix}-{uuid.uuid4().hex[:12]}-{next(_counter)}'


def usd(amount):
    return Money(amount, 'USD')


def funded_account(amount=None, **kwargs):
    account_id = service.create_account(unique('acct'), 'USD', **kwargs)
    if amount is not None:
        service.deposit(account_id, amount, unique('fund'))
    return account_id


def scalar(sql, params=(), using='default'):
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]
