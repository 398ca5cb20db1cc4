"""What the tests share: one engine for the test database, and helpers to set up accounts and to
check that a refused call wrote nothing."""

import functools
import os
import uuid
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from ledgerdb import Account, Ledger, Money, Transfer, make_engine


def database_url():
    """LEDGER_DATABASE_URL if set; otherwise the database run-tests created, on the server
    that PGHOST/PGPORT/PGUSER name (a socket directory works as PGHOST)."""
    if os.environ.get("LEDGER_DATABASE_URL"):
        return os.environ["LEDGER_DATABASE_URL"]
    query = {k: v for k, v in (("host", os.environ.get("PGHOST")),
                               ("port", os.environ.get("PGPORT"))) if v}
    return URL.create("postgresql+psycopg2", username=os.environ.get("PGUSER", "postgres"),
                      database=os.environ.get("LEDGER_EXAMPLE_DB", "ledger_example_sqlalchemy"),
                      query=query)


@functools.lru_cache(maxsize=None)
def engine():
    return make_engine(database_url())


def unique(prefix):
    # Names are unique in ledger.accounts, and the tests may run against a database that an
    # earlier run already used.
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def open_accounts(ledger, currency, count, prefix="acct", **limits):
    return [ledger.create_account(unique(f"{prefix}{i}"), currency, **limits) for i in range(count)]


def fund(ledger, account_ids, amount):
    for account_id in account_ids:
        ledger.deposit(account_id, amount, unique("fund"))


def balances(account_ids):
    with engine().connect() as conn:
        rows = conn.execute(select(Account.id, Account.balance, Account.version)
                            .where(Account.id.in_(account_ids)))
        return {row.id: (row.balance, row.version) for row in rows}


def transfer_count():
    with engine().connect() as conn:
        return conn.scalar(select(func.count()).select_from(Transfer))


def transfers_with_key(key):
    with Session(engine(), future=True) as session:
        return session.scalars(select(Transfer).where(Transfer.idempotency_key == key)).all()


@contextmanager
def nothing_written(test, account_ids):
    """Fails the test if the block changes a balance or version of the accounts, or adds a transfer."""
    before, count = balances(account_ids), transfer_count()
    yield
    test.assertEqual(balances(account_ids), before)
    test.assertEqual(transfer_count(), count)


def default_ledger(**options):
    options.setdefault("base_delay", 0.001)
    options.setdefault("max_delay", 0.02)
    return Ledger(engine(), **options)


def usd(amount):
    return Money(amount, "USD")
