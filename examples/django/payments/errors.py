"""Exceptions for the ledger's SQLSTATEs, so callers catch InsufficientFunds, not a pgcode."""


class LedgerError(Exception):
    """A ledger call was refused; nothing was written. `sqlstate` is the server's code."""

    sqlstate = None

    def __init__(self, message, sqlstate=None):
        super().__init__(message)
        if sqlstate is not None:
            self.sqlstate = sqlstate


class InvalidArgument(LedgerError):
    """Class 22: malformed money (22P02), a bad parameter (22023), a NULL (22004)..."""


class InsufficientFunds(LedgerError):
    sqlstate = 'LG101'


class AboveMaxBalance(LedgerError):
    sqlstate = 'LG102'


class AccountCurrencyMismatch(LedgerError):
    sqlstate = 'LG103'


class UnknownAccount(LedgerError):
    sqlstate = 'LG104'


class SameAccount(LedgerError):
    sqlstate = 'LG105'


class NonPositiveAmount(LedgerError):
    sqlstate = 'LG106'


class IdempotencyConflict(LedgerError):
    sqlstate = 'LG107'


class VersionConflict(LedgerError):
    sqlstate = 'LG108'


class DuplicateAccount(LedgerError):
    sqlstate = 'LG109'


class ExternalAccount(LedgerError):
    sqlstate = 'LG112'


class SplitAccount(LedgerError):
    """expected_version on an account whose balance is split over several slots (it has no
    single version; Account.version is None)."""

    sqlstate = 'LG113'


class TransactionConflict(LedgerError):
    """40001 or 40P01 that retrying did not cure (or could not: the caller owns the transaction)."""

    def __init__(self, message, sqlstate, attempts):
        super().__init__(message, sqlstate)
        self.attempts = attempts


_BY_SQLSTATE = {cls.sqlstate: cls for cls in LedgerError.__subclasses__() if cls.sqlstate}


def from_sqlstate(sqlstate, message):
    """The exception for a ledger SQLSTATE, or None when the error is not the ledger's to name."""
    if sqlstate in _BY_SQLSTATE:
        return _BY_SQLSTATE[sqlstate](message)
    if sqlstate.startswith('LG'):
        return LedgerError(message, sqlstate)
    if sqlstate.startswith('22'):
        return InvalidArgument(message, sqlstate)
    return None
