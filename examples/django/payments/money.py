"""Money: the client-side twin of ledger.monetary, an exact Decimal amount and a currency code."""
import functools
import re
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation, Rounded

# The server's text output: the amount with exactly the currency's decimals, one space, the code.
_SERVER_TEXT = re.compile(r'(-?\d+(?:\.\d+)?) ([A-Z][A-Z0-9]{2,6})')
_CODE = re.compile(r'[A-Z][A-Z0-9]{2,6}')
# Decimal's default context keeps 28 digits and rounds quietly; the server's amounts reach 39.
_EXACT = Context(prec=100, traps=[InvalidOperation, Inexact, Rounded])


class CurrencyMismatch(ValueError):
    pass


@functools.total_ordering
@dataclass(frozen=True)
class Money:
    """An exact amount of one currency.

    How many decimals a currency has is the server's business: Money keeps the digits it is
    given, and ledger.monetary refuses an amount with too many (SQLSTATE 22P02). Floats are
    refused outright, because 0.1 + 0.2 is not 0.30 in binary.
    """

    amount: Decimal
    currency: str

    def __post_init__(self):
        amount = self.amount
        if isinstance(amount, (float, bool)) or not isinstance(amount, (Decimal, int, str)):
            raise TypeError(f'Money takes a Decimal, int or str, not {type(amount).__name__}')
        if not isinstance(amount, Decimal):
            try:
                amount = Decimal(amount)
            except InvalidOperation:
                raise ValueError(f'not a decimal amount: {self.amount!r}') from None
        if not amount.is_finite():
            raise ValueError(f'Money cannot be {amount}')
        if amount.is_zero():
            amount = amount.copy_abs()  # no "-0.00 USD"
        if not isinstance(self.currency, str) or not _CODE.fullmatch(self.currency.upper()):
            raise ValueError(f'not a currency code: {self.currency!r}')
        # Frozen dataclass: normalised fields must be set through object.__setattr__.
        object.__setattr__(self, 'amount', amount)
        object.__setattr__(self, 'currency', self.currency.upper())

    @classmethod
    def parse(cls, text):
        """Reads the server's text form, e.g. '12.50 USD', '-0.01 USD', '1000 JPY'."""
        match = _SERVER_TEXT.fullmatch(text)
        if match is None:
            raise ValueError(f'not a ledger.monetary text: {text!r}')
        return cls(Decimal(match[1]), match[2])

    def __str__(self):
        # format 'f', not str(): str(Decimal('1E+3')) would be '1E+3', which the server refuses.
        return f'{self.amount:f} {self.currency}'

    def _same_currency(self, other):
        if not isinstance(other, Money):
            return False
        if other.currency != self.currency:
            raise CurrencyMismatch(f'cannot combine {self.currency} and {other.currency}')
        return True

    # The dataclass's == compares (amount, currency), so 1 USD != 1 EUR as on the server;
    # ordering and arithmetic across currencies raise, as they do there (LG001).
    def __lt__(self, other):
        if not self._same_currency(other):
            return NotImplemented
        return self.amount < other.amount

    def __add__(self, other):
        if not self._same_currency(other):
            return NotImplemented
        return Money(_EXACT.add(self.amount, other.amount), self.currency)

    def __sub__(self, other):
        return self + -other

    def __neg__(self):
        return Money(self.amount.copy_negate(), self.currency)

