"""The feed worker (manage.py apply_feed) and the WebSocket it feeds: each committed movement is
recorded once, also when the worker dies between its writes and its commit; a transfer still
open in another session is neither recorded nor pushed until it commits; and a consumer
connected with Channels' own test communicator receives an account's movement only then."""
import io
from unittest import mock

import psycopg2
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase

from payments import feed, service
from payments.models import Movement
from payments.routing import websocket_application

from .helpers import funded_account, unique, usd


def run_worker():
    out = io.StringIO()
    call_command('apply_feed', '--once', stdout=out)
    return out.getvalue()


def movements_of(account_id):
    return list(Movement.objects.filter(account_id=account_id)
                .order_by('position').values_list('amount', flat=True))


def other_session():
    """A second connection to the test database, outside Django, for a transaction left open."""
    settings = connection.settings_dict
    conn = psycopg2.connect(dbname=settings['NAME'], host=settings['HOST'] or None,
                            port=settings['PORT'] or None, user=settings['USER'] or None)
    return conn


class FeedWorkerTests(TransactionTestCase):
    def test_each_movement_is_recorded_once(self):
        payer, payee = funded_account(usd('50.00')), funded_account()
        service.transfer(payer, payee, usd('7.00'), unique('feed'))
        run_worker()
        run_worker()
        self.assertEqual([str(m) for m in movements_of(payee)], ['7.00 USD'])
        self.assertEqual([str(m) for m in movements_of(payer)], ['50.00 USD', '-7.00 USD'])

    def test_a_worker_that_dies_before_its_commit_records_nothing_and_the_next_run_does(self):
        payer, payee = funded_account(usd('50.00')), funded_account()
        run_worker()
        service.transfer(payer, payee, usd('3.00'), unique('feed'))
        with mock.patch.object(feed, 'push', side_effect=RuntimeError('worker killed')):
            with self.assertRaises(RuntimeError):
                run_worker()
        self.assertEqual(movements_of(payee), [])
        run_worker()
        self.assertEqual([str(m) for m in movements_of(payee)], ['3.00 USD'])

    def test_a_late_commit_is_recorded_after_it_commits_with_a_later_position(self):
        late_payer, late_payee = funded_account(usd('50.00')), funded_account()
        early_payer, early_payee = funded_account(usd('50.00')), funded_account()
        run_worker()
        session = other_session()
        try:
            with session.cursor() as cursor:
                cursor.execute('SELECT ledger.transfer(%s, %s, %s, %s)',
                               [late_payer, late_payee, '1.00 USD', unique('late')])
                late_id = cursor.fetchone()[0]
            early_id = service.transfer(early_payer, early_payee, usd('2.00'), unique('early'))
            run_worker()
            self.assertEqual(movements_of(late_payee), [])
            self.assertEqual([str(m) for m in movements_of(early_payee)], ['2.00 USD'])
            session.commit()
        finally:
            session.close()
        run_worker()
        self.assertEqual([str(m) for m in movements_of(late_payee)], ['1.00 USD'])
        late, early = (Movement.objects.get(transfer_id=i, account_id=a)
                       for i, a in ((late_id, late_payee), (early_id, early_payee)))
        self.assertLess(late_id, early_id)
        self.assertGreater(late.position, early.position)


class AccountWebSocketTests(TransactionTestCase):
    def test_a_movement_is_pushed_only_once_it_committed(self):
        payer, payee = funded_account(usd('50.00')), funded_account()
        run_worker()
        session = other_session()
        with session.cursor() as cursor:
            cursor.execute('SELECT ledger.transfer(%s, %s, %s, %s)',
                           [payer, payee, '4.00 USD', unique('ws')])
            transfer_id = cursor.fetchone()[0]
        worker = sync_to_async(run_worker, thread_sensitive=True)

        # One event loop for the socket and the worker's pushes (the in-memory channel layer
        # belongs to the loop that first used it).
        async def scenario():
            communicator = WebsocketCommunicator(websocket_application, f'/ws/accounts/{payee}/')
            connected, _ = await communicator.connect()
            self.assertTrue(connected)
            try:
                await worker()  # the transfer has not committed: nothing to record or push
                self.assertTrue(await communicator.receive_nothing(0.2))
                await sync_to_async(session.commit)()
                await worker()
                message = await communicator.receive_json_from(5)
                self.assertEqual((message['transfer_id'], message['account'], message['amount']),
                                 (transfer_id, payee, '4.00 USD'))
                self.assertGreater(message['position'], 0)
                self.assertTrue(await communicator.receive_nothing(0.2))
            finally:
                await communicator.disconnect()

        try:
            async_to_sync(scenario)()
        finally:
            session.close()
