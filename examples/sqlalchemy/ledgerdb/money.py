"""An exact amount of one currency, as the client sees a ledger.monetary."""

import decimal
import re
from dataclasses import dataclass
from decimal import Decimal

# The server's output form: optional minus, digits, optional fraction, one space, upper-case code.
_TEXT_FORM = re.compile(r"(-?\d+(?:\.\d+)?) ([A-Z][A-Z0-9]{2,6})")
_AMOUNT = re.compile(r"-?\d+(?:\.\d+)?")
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]{2,6}")

# Decimal's default context keeps 28 digits and would silently round a 128-bit amount; this one
# holds any ledger amount (39 digits plus up to 18 decimals) and raises instead of rounding.
_EXACT = decimal.Context(prec=80, traps=[decimal.Inexact, decimal.InvalidOperation])


@dataclass(frozen=True)
class Money:
    """`amount` is a Decimal (an int or a plain decimal string is converted); floats are refused,
    because a binary float cannot hold 0.10 exactly. The server checks the currency's number of
    decimals; the client keeps whatever it is given and writes it back digit for digit."""

    amount: Decimal
    currency: str

    def __post_init__(self):
        amount = self.amount
        if isinstance(amount, str):
            if not _AMOUNT.fullmatch(amount):
                raise ValueError(f"not a plain decimal amount: {amount!r}")
            amount = Decimal(amount)
        elif isinstance(amount, int) and not isinstance(amount, bool):
            amount = Decimal(amount)
        elif not isinstance(amount, Decimal):
            raise TypeError(f"Money needs a Decimal amount, not {type(amount).__name__}")
        if not amount.is_finite():
            raise ValueError(f"Money amount must be finite, not {amount}")
        if amount.is_zero():
            amount = amount.copy_abs()  # -0.00 would print with its sign
        if not isinstance(self.currency, str) or not _CODE.fullmatch(self.currency):
            raise ValueError(f"not a currency code: {self.currency!r}")
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "currency", self.currency.upper())

    @classmethod
    def parse(cls, text):
        """Reads the server's text form, e.g. '12.50 USD', '-0.01 USD', '1000 JPY'."""
        match = _TEXT_FORM.fullmatch(text)
        if not match:
            raise ValueError(f"not a ledger.monetary text: {text!r}")
        return cls(Decimal(match.group(1)), match.group(2))

    def __str__(self):
        # format 'f' never uses an exponent, so 1E+3 is written as 1000.
        return f"{self.amount:f} {self.currency}"

    def _same_currency(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")
        return other

    def __add__(self, other):
        other = self._same_currency(other)
        if other is NotImplemented:
            return other
        return Money(_EXACT.add(self.amount, other.amount), self.currency)

    def __sub__(self, other):
        other = self._same_currency(other)
        if other is NotImplemented:
            return other
        return Money(_EXACT.subtract(self.amount, other.amount), self.currency)

    def __neg__(self):
        return Money(_EXACT.minus(self.amount), self.currency)

    def __lt__(self, other):
        other = self._same_currency(other)
        return other if other is NotImplemented else self.amount < other.amount

    def __le__(self, other):
        other = self._same_currency(other)
        return other if other is NotImplemented else self.amount <= other.amount

    def __gt__(self, other):
        other = self._same_currency(other)
        return other if other is NotImplemented else self.amount > other.amount

    def __ge__(self, other):
        other = self._same_currency(other)
        return other if other is NotImplemented else self.amount >= other.amount
