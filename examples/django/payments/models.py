from django.db import models

from .fields import MonetaryField


class Account(models.Model):
    """An account with its balance: the view ledger.account_balances, read-only.

    Since ledger 1.1 the table ledger.accounts holds only what never changes about an account
    (name, currency, limits); its balance lives in ledger.balances, in one row ("slot") or
    several, and is their sum. The view joins the two and shows what ledger.accounts showed in
    1.0, plus slots. Only ledger.create_account() and the posting functions write the tables.

    managed = False keeps Django from creating, altering or flushing anything (the tables refuse
    UPDATE, DELETE and TRUNCATE with LG111). db_table names the schema: Django quotes it as
    "ledger"."account_balances", so the connection needs no search_path, and a relation of that
    name elsewhere cannot shadow it. Reading it needs SELECT on ledger.account_balances,
    ledger.accounts and ledger.balances (the view runs with the reader's rights).
    """

    name = models.TextField(unique=True)
    currency = models.TextField()
    balance = MonetaryField()  # the sum of the account's slots
    min_balance = MonetaryField(null=True)  # NULL: no lower bound
    max_balance = MonetaryField(null=True)  # NULL: no upper bound
    # The account's number of entries while it has one slot; None while it is split (external
    # accounts are created with 16 slots), when transfer(expected_version=...) raises LG113.
    version = models.BigIntegerField(null=True)
    slots = models.SmallIntegerField()
    is_external = models.BooleanField()
    metadata = models.JSONField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = 'ledger"."account_balances'

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


class Movement(models.Model):
    """One entry of a user account, recorded by the feed worker (payments.feed) exactly once per
    committed transfer: the unique (transfer_id, account_id, slot) would refuse a second."""

    position = models.BigIntegerField(db_index=True)  # in the ledger's change feed
    transfer_id = models.BigIntegerField()
    account_id = models.BigIntegerField(db_index=True)
    slot = models.SmallIntegerField()
    amount = MonetaryField()  # negative when the account paid
    balance_after = MonetaryField()  # the slot's balance after the transfer
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=['transfer_id', 'account_id', 'slot'],
                                               name='one_movement_per_entry')]

    def as_message(self):
        return {'position': self.position, 'transfer_id': self.transfer_id,
                'account': self.account_id, 'amount': str(self.amount),
                'balance_after': str(self.balance_after)}
