from django.core.exceptions import ValidationError
from django.db import models

from .money import Money


class MonetaryField(models.Field):
    """A ledger.monetary column, read and written as Money.

    Values travel as the type's text form: psycopg2 hands an unknown type's value over as str,
    and a quoted literal such as '12.50 USD' takes the column's type on the server, so the
    server, which knows each currency's decimals, checks every value that is written.
    """

    description = 'An exact amount of one currency (ledger.monetary)'

    def db_type(self, connection):
        return 'ledger.monetary'

    def from_db_value(self, value, expression, connection):
        return None if value is None else Money.parse(value)

    def to_python(self, value):
        if value is None or isinstance(value, Money):
            return value
        if isinstance(value, str):
            try:
                return Money.parse(value)
            except ValueError as exc:
                raise ValidationError(str(exc), code='invalid') from exc
        raise ValidationError(f'{type(value).__name__} is not money', code='invalid')

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        if isinstance(value, str):
            value = Money.parse(value)
        if not isinstance(value, Money):
            # A float reaching a money column is a bug, not something to round.
            raise TypeError(f'MonetaryField takes Money, not {type(value).__name__}')
        return str(value)
