from django.db import models

from .fields import MonetaryField


class Account(models.Model):
    """ledger.accounts, read-only: only ledger.create_account() and the posting functions write it.

    managed = False keeps Django from creating, altering or flushing the table (TRUNCATE and
    DELETE raise LG111). db_table names the schema: Django quotes it as "ledger"."accounts", so
    the connection needs no search_path, and a table named accounts elsewhere cannot shadow it.
    """

    name = models.TextField(unique=True)
    currency = models.TextField()
    balance = MonetaryField()
    min_balance = MonetaryField(null=True)  # NULL: no lower bound
    max_balance = MonetaryField(null=True)  # NULL: no upper bound
    version = models.BigIntegerField()
    is_external = models.BooleanField()
    metadata = models.JSONField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = 'ledger"."accounts'

    def __str__(self):
        return f'{self.name} ({self.balance})'


class Transfer(models.Model):
    """ledger.transfers, append-only (UPDATE, DELETE and TRUNCATE raise LG110)."""

    from_account = models.ForeignKey(
        Account, models.DO_NOTHING, db_column='from_account', related_name='debits')
    to_account = models.ForeignKey(
        Account, models.DO_NOTHING, db_column='to_account', related_name='credits')
    amount = MonetaryField()
    idempotency_key = models.TextField(unique=True, null=True)
    metadata = models.JSONField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = 'ledger"."transfers'


class Charge(models.Model):
    """An ordinary table of this app with a money column, to show MonetaryField round trips."""

    description = models.TextField()
    amount = MonetaryField()
    refund = MonetaryField(null=True)
