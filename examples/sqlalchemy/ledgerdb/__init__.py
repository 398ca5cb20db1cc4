"""SQLAlchemy access to the ledger extension: the Money value, the Monetary column type,
read-only mapped classes and a retrying service around ledger.transfer()."""

from .money import Money
from .models import Account, Balance, Base, Monetary, Transfer
from .service import (
    AboveMaxBalance,
    AccountCurrencyMismatch,
    ExternalAccount,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidInput,
    Ledger,
    LedgerError,
    NonPositiveAmount,
    RetriesExhausted,
    SameAccount,
    SplitAccount,
    UnknownAccount,
    VersionConflict,
    make_engine,
)

__all__ = [
    "AboveMaxBalance", "Account", "AccountCurrencyMismatch", "Balance", "Base", "ExternalAccount",
    "IdempotencyConflict", "InsufficientFunds", "InvalidInput", "Ledger", "LedgerError",
    "Monetary", "Money", "NonPositiveAmount", "RetriesExhausted", "SameAccount", "SplitAccount",
    "Transfer", "UnknownAccount", "VersionConflict", "make_engine",
]
