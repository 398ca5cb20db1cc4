"""The ledger.monetary column type and read-only mappings of the view ledger.account_balances
and the tables ledger.balances and ledger.transfers."""

from sqlalchemy import BigInteger, Boolean, Column, DateTime, SmallInteger, Text, cast, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import UserDefinedType

from .money import Money


class Monetary(UserDefinedType):
    """ledger.monetary <-> Money. Values travel as the exact text form, so no float is ever
    involved; anything but a Money is refused when binding."""

    cache_ok = True

    def get_col_spec(self, **kw):
        return "ledger.monetary"

    def bind_processor(self, dialect):
        def process(value):
            if value is None:
                return None
            if not isinstance(value, Money):
                raise TypeError(f"ledger.monetary binds a Money, not {type(value).__name__}")
            return str(value)

        return process

    def result_processor(self, dialect, coltype):
        def process(value):
            return None if value is None else Money.parse(value)

        return process

    def bind_expression(self, bindvalue):
        # An explicit cast keeps the parameter from being taken as text where PostgreSQL cannot
        # infer the type (operators, function overloads, VALUES lists).
        return cast(bindvalue, self)


Base = declarative_base()


class Account(Base):
    """An account with its balance: the view ledger.account_balances (ledger 1.1).

    The table ledger.accounts holds only what never changes about an account; its balance lives
    in ledger.balances, in one row ("slot") or several, and is their sum. The view joins the two
    and shows what ledger.accounts showed in 1.0, plus `slots`. Reading it needs SELECT on the
    view, ledger.accounts and ledger.balances (it runs with the reader's rights). A view has no
    primary key; `id` is declared as one for the mapper."""

    __tablename__ = "account_balances"
    __table_args__ = {"schema": "ledger"}

    id = Column(BigInteger, primary_key=True)
    name = Column(Text, nullable=False)
    currency = Column(Text, nullable=False)
    balance = Column(Monetary, nullable=False)  # the sum of the account's slots
    min_balance = Column(Monetary)  # None: no lower bound
    max_balance = Column(Monetary)  # None: no upper bound
    # The account's number of entries while it has one slot; None while it is split over
    # several (external accounts have 16), when expected_version raises LG113.
    version = Column(BigInteger)
    slots = Column(SmallInteger, nullable=False)
    is_external = Column(Boolean, nullable=False)
    meta = Column("metadata", JSONB)  # `metadata` is taken by the declarative base
    created_at = Column(DateTime(timezone=True), nullable=False)

    def __repr__(self):
        return f"<Account {self.id} {self.name!r} {self.balance}>"


class Balance(Base):
    """One slot of an account's balance: a row of ledger.balances. Slots numbered `slots` and
    above are retired (balance zero); `version` counts the slot's own entries."""

    __tablename__ = "balances"
    __table_args__ = {"schema": "ledger"}

    account_id = Column(BigInteger, primary_key=True)
    slot = Column(SmallInteger, primary_key=True)
    slots = Column(SmallInteger, nullable=False)
    is_external = Column(Boolean, nullable=False)
    balance = Column(Monetary, nullable=False)
    min_share = Column(Monetary)  # this slot's share of min_balance; None: no lower bound
    max_share = Column(Monetary)  # this slot's share of max_balance; None: no upper bound
    version = Column(BigInteger, nullable=False)

    def __repr__(self):
        return f"<Balance {self.account_id}/{self.slot} {self.balance}>"


class Transfer(Base):
    __tablename__ = "transfers"
    __table_args__ = {"schema": "ledger"}

    id = Column(BigInteger, primary_key=True)
    from_account = Column(BigInteger, nullable=False)
    to_account = Column(BigInteger, nullable=False)
    amount = Column(Monetary, nullable=False)
    idempotency_key = Column(Text, unique=True)
    meta = Column("metadata", JSONB)
    created_at = Column(DateTime(timezone=True), nullable=False)

    def __repr__(self):
        return f"<Transfer {self.id} {self.from_account}->{self.to_account} {self.amount}>"


def _refuse_write(mapper, connection, target):
    # Money moves only through ledger.transfer()/deposit()/withdraw()/transfer_many(); the
    # database refuses direct writes too (LG110, LG111; a view over a join takes none), this
    # just fails before the round trip.
    raise TypeError(f"{type(target).__name__} is read-only: use the ledger functions")


for _cls in (Account, Balance, Transfer):
    for _name in ("before_insert", "before_update", "before_delete"):
        event.listen(_cls, _name, _refuse_write)
