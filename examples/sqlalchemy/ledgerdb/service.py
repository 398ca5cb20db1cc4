"""Moving money: ledger.transfer(), deposit(), withdraw() and transfer_many() in a transaction,
with the ledger's SQLSTATEs as exceptions and the whole transaction retried on serialization
failures and deadlocks."""

import json
import logging
import random
import threading
import time

from sqlalchemy import BigInteger, Text, cast, create_engine, exc, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import sessionmaker

from .models import Monetary
from .money import Money

log = logging.getLogger(__name__)


class LedgerError(Exception):
    """A refusal by the ledger; `sqlstate` is the server's code (README, "Error codes")."""

    sqlstate = None

    def __init__(self, message, sqlstate=None):
        super().__init__(message)
        if sqlstate is not None:
            self.sqlstate = sqlstate


class InsufficientFunds(LedgerError):
    sqlstate = "LG101"


class AboveMaxBalance(LedgerError):
    sqlstate = "LG102"


class AccountCurrencyMismatch(LedgerError):
    sqlstate = "LG103"


class UnknownAccount(LedgerError):
    sqlstate = "LG104"


class SameAccount(LedgerError):
    sqlstate = "LG105"


class NonPositiveAmount(LedgerError):
    sqlstate = "LG106"


class IdempotencyConflict(LedgerError):
    sqlstate = "LG107"


class VersionConflict(LedgerError):
    sqlstate = "LG108"


class ExternalAccount(LedgerError):
    sqlstate = "LG112"


class SplitAccount(LedgerError):
    """expected_version on an account split over several slots, which has no single version."""

    sqlstate = "LG113"


class InvalidInput(LedgerError):
    """Class 22: a malformed amount, a NULL argument, a key longer than 255 bytes..."""


class RetriesExhausted(LedgerError):
    """Still 40001 or 40P01 after the last attempt; `sqlstate` is the last one seen."""


_BY_SQLSTATE = {cls.sqlstate: cls for cls in (
    InsufficientFunds, AboveMaxBalance, AccountCurrencyMismatch, UnknownAccount, SameAccount,
    NonPositiveAmount, IdempotencyConflict, VersionConflict, ExternalAccount, SplitAccount)}

RETRYABLE = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def sqlstate_of(error):
    return getattr(error.orig, "pgcode", None)


def ledger_error(error):
    """The LedgerError for a DBAPIError raised by a ledger call, or None for other failures
    (a lost connection, a cancelled statement), which are better left as they are."""
    code = sqlstate_of(error)
    if code is None:
        return None
    diag = getattr(error.orig, "diag", None)
    message = getattr(diag, "message_primary", None) or str(error.orig).strip()
    if code in _BY_SQLSTATE:
        return _BY_SQLSTATE[code](message, code)
    if code.startswith("22"):
        return InvalidInput(message, code)
    if code.startswith("LG"):
        return LedgerError(message, code)
    return None


def make_engine(url, **kwargs):
    kwargs.setdefault("pool_size", 10)
    return create_engine(url, future=True, **kwargs)


class Ledger:
    """isolation_level: None keeps the server's default (READ COMMITTED, where concurrent calls
    queue on the account locks); "SERIALIZABLE" or "REPEATABLE READ" make a call on an account
    changed since the snapshot fail with 40001, which is retried here.

    before_call(session, attempt), if given, runs inside each attempt's transaction just before
    the ledger function: a place to read what the transaction depends on (tests use it to make
    another connection interfere at a known moment)."""

    def __init__(self, engine, *, isolation_level=None, max_attempts=5, base_delay=0.01,
                 max_delay=1.0, before_call=None):
        if isolation_level is not None:
            engine = engine.execution_options(isolation_level=isolation_level)
        self.Session = sessionmaker(bind=engine, future=True)
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.before_call = before_call
        self._lock = threading.Lock()
        self.retries = 0  # across all calls and threads

    def transfer(self, from_id, to_id, amount, idempotency_key, metadata=None, *,
                 expected_version=None):
        """Returns the transfer id; the same key and arguments return the same id again."""
        self._check(amount, idempotency_key)
        return self._call(func.ledger.transfer(
            from_id, to_id, literal(amount, Monetary()), literal(idempotency_key, Text()),
            literal(metadata, JSONB(none_as_null=True)), literal(expected_version, BigInteger()),
            type_=BigInteger()))

    def deposit(self, account_id, amount, idempotency_key, metadata=None, *, expected_version=None):
        self._check(amount, idempotency_key)
        return self._call(func.ledger.deposit(
            account_id, literal(amount, Monetary()), literal(idempotency_key, Text()),
            literal(metadata, JSONB(none_as_null=True)), literal(expected_version, BigInteger()),
            type_=BigInteger()))

    def withdraw(self, account_id, amount, idempotency_key, metadata=None, *, expected_version=None):
        self._check(amount, idempotency_key)
        return self._call(func.ledger.withdraw(
            account_id, literal(amount, Monetary()), literal(idempotency_key, Text()),
            literal(metadata, JSONB(none_as_null=True)), literal(expected_version, BigInteger()),
            type_=BigInteger()))

    def transfer_many(self, transfers):
        """Several transfers in one call, all or nothing; returns their ids in the order given.

        transfers: (from_id, to_id, amount, idempotency_key) or (..., idempotency_key, metadata)
        tuples. A refused item raises that item's error with "item N: " (1-based) at the start of
        the message, and nothing is written; the same keys again return the same ids."""
        items = [tuple(t) + (None,) * (5 - len(t)) for t in transfers]
        for item in items:
            self._check(item[2], item[3])
        batch = func.ledger.transfer_many(
            cast(literal([i[0] for i in items], ARRAY(BigInteger)), ARRAY(BigInteger)),
            cast(literal([i[1] for i in items], ARRAY(BigInteger)), ARRAY(BigInteger)),
            # Each amount as its exact text, cast on the server as a whole array.
            cast(literal([str(i[2]) for i in items], ARRAY(Text)), ARRAY(Monetary)),
            cast(literal([i[3] for i in items], ARRAY(Text)), ARRAY(Text)),
            cast(literal([None if i[4] is None else json.dumps(i[4]) for i in items],
                         ARRAY(Text)), ARRAY(JSONB)),
        ).table_valued("item", "transfer_id")
        return self._call(select(batch.c.transfer_id).order_by(batch.c.item), rows=True)

    def create_account(self, name, currency, min_balance=Money(0, "XXX"), max_balance=None,
                       metadata=None):
        """min_balance=None means no lower bound; the default '0 XXX' means no overdraft."""
        return self._call(func.ledger.create_account(
            literal(name, Text()), literal(currency, Text()), literal(min_balance, Monetary()),
            literal(max_balance, Monetary()), literal(metadata, JSONB(none_as_null=True)),
            type_=BigInteger()))

    @staticmethod
    def _check(amount, idempotency_key):
        if not isinstance(amount, Money):
            raise TypeError(f"amount must be a Money, not {type(amount).__name__}")
        # Without a key a retried call whose reply was lost could move the money twice.
        if not idempotency_key:
            raise ValueError("an idempotency key is required")

    def _call(self, call, rows=False):
        for attempt in range(1, self.max_attempts + 1):
            try:
                with self.Session() as session, session.begin():
                    if self.before_call is not None:
                        self.before_call(session, attempt)
                    if rows:  # a query: the first column of each row
                        return session.scalars(call).all()
                    return session.scalar(select(call))
            except exc.DBAPIError as error:
                code = sqlstate_of(error)
                if code not in RETRYABLE:
                    mapped = ledger_error(error)
                    if mapped is None:
                        raise
                    raise mapped from error
                if attempt == self.max_attempts:
                    raise RetriesExhausted(
                        f"gave up after {attempt} attempts: {error.orig}".strip(), code) from error
                with self._lock:
                    self.retries += 1
                delay = random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))
                log.info("attempt %d failed with %s, retrying in %.3fs", attempt, code, delay)
                time.sleep(delay)
