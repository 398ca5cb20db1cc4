"""Moving money: thin wrappers over the ledger's server functions.

The server does the locking, limit checks and bookkeeping in one call; what is left for the
client is to run that call in a transaction, turn SQLSTATEs into exceptions, and retry the
whole transaction when PostgreSQL asks for it (40001, 40P01). Idempotency keys make the retry
safe: a call whose commit did happen returns the original transfer id the second time.
"""
import logging
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from psycopg2.extras import Json

from . import errors, signals
from .money import Money

log = logging.getLogger(__name__)

RETRYABLE = {'40001', '40P01'}  # serialization_failure, deadlock_detected


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.01  # seconds
    max_delay: float = 0.5

    @classmethod
    def from_settings(cls):
        return cls(**getattr(settings, 'LEDGER_RETRY', {}))

    def delay(self, failed_attempt):
        # "Full jitter": clients that collided once should not collide again in lockstep.
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (failed_attempt - 1)))


def transfer(from_id, to_id, amount, idempotency_key, metadata=None, *,
             expected_version=None, using='default', policy=None):
    """Moves amount from one account to another; returns the transfer id."""
    return _call('SELECT ledger.transfer(%s, %s, %s::ledger.monetary, %s, %s, %s)',
                 [from_id, to_id, _money(amount), idempotency_key, _json(metadata),
                  expected_version], using, policy)


def deposit(account_id, amount, idempotency_key, metadata=None, *,
            expected_version=None, using='default', policy=None):
    """Money in from the outside world (the currency's external account)."""
    return _call('SELECT ledger.deposit(%s, %s::ledger.monetary, %s, %s, %s)',
                 [account_id, _money(amount), idempotency_key, _json(metadata),
                  expected_version], using, policy)


def withdraw(account_id, amount, idempotency_key, metadata=None, *,
             expected_version=None, using='default', policy=None):
    """Money out to the outside world."""
    return _call('SELECT ledger.withdraw(%s, %s::ledger.monetary, %s, %s, %s)',
                 [account_id, _money(amount), idempotency_key, _json(metadata),
                  expected_version], using, policy)


def transfer_many(transfers, *, using='default', policy=None):
    """Several transfers in one call, all or nothing; returns their ids in the order given.

    transfers: (from_id, to_id, amount, idempotency_key, metadata) tuples; key and metadata may
    be None (or left off). A refused item raises that item's error, with "item N:" (1-based) at
    the start of the message, and nothing is written. A repeated call with the same keys
    returns the same ids.
    """
    items = [tuple(t) + (None,) * (5 - len(t)) for t in transfers]
    return _call('SELECT transfer_id FROM ledger.transfer_many(%s::bigint[], %s::bigint[], '
                 '%s::ledger.monetary[], %s::text[], %s::jsonb[]) ORDER BY item',
                 [[i[0] for i in items], [i[1] for i in items], [_money(i[2]) for i in items],
                  [i[3] for i in items], [_json(i[4]) for i in items]],
                 using, policy, rows=True)


def create_account(name, currency, min_balance=Money(0, 'XXX'), max_balance=None,
                   metadata=None, *, using='default', policy=None):
    """Opens an account; min_balance None means no lower bound, '0 XXX' zero in its currency."""
    return _call('SELECT ledger.create_account(%s, %s, %s::ledger.monetary, '
                 '%s::ledger.monetary, %s)',
                 [name, currency, _money(min_balance, null=True),
                  _money(max_balance, null=True), _json(metadata)], using, policy)


def balance(account_id, *, using='default'):
    return _call('SELECT ledger.balance(%s)', [account_id], using, policy=None, parse=Money.parse)


def _call(sql, params, using, policy, parse=None, rows=False):
    policy = policy or RetryPolicy.from_settings()
    connection = connections[using]
    # Inside the caller's atomic() our block is only a savepoint: after a 40001 the caller's
    # snapshot is still stale, so only the caller can retry, and we must not loop.
    max_attempts = 1 if connection.in_atomic_block else policy.max_attempts
    for attempt in range(1, max_attempts + 1):
        try:
            # The try is around the block, not inside it: SERIALIZABLE can fail at COMMIT.
            with transaction.atomic(using=using):
                signals.attempt_started.send(sender=_call, attempt=attempt, using=using)
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    if rows:  # the first column of every row
                        value = [row[0] for row in cursor.fetchall()]
                    else:
                        value = cursor.fetchone()[0]
            return parse(value) if parse else value
        except DatabaseError as exc:
            sqlstate = getattr(exc.__cause__, 'pgcode', None)
            if sqlstate is None:
                raise  # not a server error (connection lost...): not ours to name
            if sqlstate not in RETRYABLE:
                mapped = errors.from_sqlstate(sqlstate, _message(exc))
                if mapped is None:
                    raise
                raise mapped from exc
            if attempt == max_attempts:
                raise errors.TransactionConflict(
                    f'{_message(exc)} (gave up after {attempt} attempts)', sqlstate, attempt,
                ) from exc
            delay = policy.delay(attempt)
            log.info('attempt %d failed with %s; retrying in %.3fs', attempt, sqlstate, delay)
            signals.retrying.send(sender=_call, attempt=attempt, sqlstate=sqlstate,
                                  delay=delay, using=using)
            time.sleep(delay)


def _money(value, null=False):
    if value is None and null:
        return None
    if not isinstance(value, Money):
        raise TypeError(f'expected Money, not {type(value).__name__}')
    return str(value)


def _json(metadata):
    return None if metadata is None else Json(metadata)


def _message(exc):
    diag = getattr(exc.__cause__, 'diag', None)
    return (diag and diag.message_primary) or str(exc)
