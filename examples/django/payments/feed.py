"""Acting on committed money movements exactly once: the ledger's change feed, applied by a
worker (manage.py apply_feed) inside transaction.atomic().

In one transaction the worker locks its cursor (ledger.feed_next), writes one Movement per entry
of a user account, pushes each movement to the account's WebSocket group, and moves its cursor
(ledger.feed_ack). The movements and the cursor commit together or not at all, so each change is
recorded exactly once, whatever dies in between. A push can happen twice (the worker died after
pushing, before committing: the batch runs again), never for a transfer that did not commit, and
never not at all; each push carries its position, so a browser drops one it has seen.

transaction.on_commit() cannot promise this: its callback runs in the web process after the
commit, and is simply lost if that process dies between the commit and the callback.
"""
import json
import select

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import DatabaseError, connection, transaction

from .models import Movement

CONSUMER = 'payments'


def ensure_consumer(start_position=0):
    """Creates this app's cursor once (its name is taken afterwards: LG205)."""
    with connection.cursor() as cursor:
        cursor.execute('SELECT 1 FROM ledger.feed_consumers WHERE consumer = %s', [CONSUMER])
        if cursor.fetchone() is None:
            try:
                with transaction.atomic():
                    cursor.execute('SELECT ledger.create_consumer(%s, %s)',
                                   [CONSUMER, start_position])
            except DatabaseError as error:
                if getattr(error.__cause__, 'pgcode', None) != 'LG205':
                    raise


def tick():
    """Sequences what committed since the last tick; NULL (None) if another tick is running.
    Outside any atomic block: a tick refuses a transaction that made transfers (LG202)."""
    with connection.cursor() as cursor:
        cursor.execute('SELECT ledger.feed_try_tick()')
        return cursor.fetchone()[0]


def group_of(account_id):
    return f'account-{account_id}'


def push(movement):
    async_to_sync(get_channel_layer().group_send)(
        group_of(movement['account']), {'type': 'ledger.movement', 'movement': movement})


def apply_next(max_rows=100):
    """One batch, exactly once; returns how many changes it applied (0: none waiting)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute('SELECT position, transfer_id, entries, created_at '
                           'FROM ledger.feed_next(%s, %s)', [CONSUMER, max_rows])
            rows = cursor.fetchall()
            if not rows:
                return 0
            cursor.execute('SELECT a.id FROM ledger.accounts a WHERE a.is_external')
            external = {row[0] for row in cursor.fetchall()}
            movements = [
                Movement(position=position, transfer_id=transfer_id, account_id=entry['account'],
                         slot=entry['slot'], amount=entry['amount'],
                         balance_after=entry['balance_after'], created_at=created_at)
                for position, transfer_id, entries, created_at in rows
                # Django leaves jsonb undecoded (a str): it decodes JSONField values itself.
                for entry in json.loads(entries) if entry['account'] not in external]
            Movement.objects.bulk_create(movements)  # one INSERT for the batch
            for movement in movements:
                push(movement.as_message())
            cursor.execute('SELECT ledger.feed_ack(%s, %s, %s)',
                           [CONSUMER, rows[0][0] - 1, rows[-1][0]])
    return len(rows)


def wait_for_ticks(timeout):
    """Sleeps until a tick anywhere added positions (NOTIFY ledger_feed) or `timeout` seconds.
    LISTEN takes effect at once on Django's autocommit connection."""
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute('LISTEN ledger_feed')
    if raw.notifies:
        raw.notifies.clear()
        return True
    ready = select.select([raw], [], [], timeout) != ([], [], [])
    if ready:
        raw.poll()
        raw.notifies.clear()
    return ready
