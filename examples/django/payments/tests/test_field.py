from django.db import DatabaseError, DataError, connection, transaction
from django.db.models import Sum
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from payments.models import Charge
from payments.money import Money

from .helpers import scalar

VALUES = ['12.50 USD', '-0.01 USD', '0.00 USD', '1000 JPY', '-7 JPY', '1.500 KWD',
          '0.001 KWD', '170141183460469231731687303715884105.27 USD',
          '-170141183460469231731687303715884105.27 USD',
          # the largest amount there is: 2**127 - 1 minor units
          '1701411834604692317316873037158841057.27 USD']


class MonetaryFieldTests(TestCase):
    def test_round_trips_through_a_monetary_column(self):
        for text in VALUES:
            with self.subTest(text=text):
                charge = Charge.objects.create(description=text, amount=Money.parse(text))
                stored = Charge.objects.get(pk=charge.pk)
                self.assertIsInstance(stored.amount, Money)
                self.assertEqual(str(stored.amount), text)
                self.assertEqual(
                    scalar('SELECT amount::text FROM payments_charge WHERE id = %s', [charge.pk]),
                    text)

    def test_the_server_canonicalises_what_money_keeps_as_given(self):
        charge = Charge.objects.create(description='x', amount=Money('12.5', 'USD'))
        charge.refresh_from_db()
        self.assertEqual(str(charge.amount), '12.50 USD')

    def test_null(self):
        charge = Charge.objects.create(description='x', amount=Money('1', 'EUR'), refund=None)
        charge.refresh_from_db()
        self.assertIsNone(charge.refund)

    def test_refuses_floats_before_any_sql(self):
        with CaptureQueriesContext(connection) as queries:
            # atomic(): Django marks the enclosing transaction broken on any error in save().
            with self.assertRaises(TypeError), transaction.atomic():
                Charge.objects.create(description='x', amount=12.5)
        self.assertEqual([q['sql'] for q in queries if 'INSERT' in q['sql']], [])
        self.assertEqual(Charge.objects.count(), 0)

    def test_the_server_refuses_more_decimals_than_the_currency_has(self):
        with self.assertRaises(DataError) as caught, transaction.atomic():
            Charge.objects.create(description='x', amount=Money('0.001', 'USD'))
        self.assertEqual(caught.exception.__cause__.pgcode, '22P02')
        self.assertEqual(Charge.objects.count(), 0)

    def test_filters_and_sums_on_the_server(self):
        # '=', '>' and sum() on monetary live in pg_catalog, so they resolve on any search_path,
        # even one without schema ledger (settings sets none; this makes sure of it).
        with connection.cursor() as cursor:
            cursor.execute('SET LOCAL search_path = public')  # TestCase's transaction ends it
        for text in ('1.25 USD', '2.50 USD', '3.75 USD'):
            Charge.objects.create(description=text, amount=Money.parse(text))
        total = Charge.objects.aggregate(total=Sum('amount'))['total']
        self.assertEqual(total, Money('7.50', 'USD'))
        self.assertEqual(Charge.objects.filter(amount__gt=Money('2', 'USD')).count(), 2)
        self.assertEqual(Charge.objects.get(amount=Money('2.5', 'USD')).description, '2.50 USD')

    def test_the_server_refuses_to_compare_across_currencies(self):
        Charge.objects.create(description='yen', amount=Money('9', 'JPY'))
        self.assertEqual(Charge.objects.filter(amount=Money('9', 'USD')).count(), 0)  # just unequal
        with self.assertRaises(DatabaseError) as caught, transaction.atomic():
            Charge.objects.filter(amount__gt=Money('2', 'USD')).count()
        self.assertEqual(caught.exception.__cause__.pgcode, 'LG001')

    def test_order_by_sorts_mixed_currencies_by_code_then_amount(self):
        for text in ('2.00 USD', '900 JPY', '-1.00 USD', '1.000 KWD', '10 JPY'):
            Charge.objects.create(description=text, amount=Money.parse(text))
        self.assertEqual(list(Charge.objects.order_by('amount').values_list('description', flat=True)),
                         ['10 JPY', '900 JPY', '1.000 KWD', '-1.00 USD', '2.00 USD'])

    def test_reads_money_from_a_raw_cursor(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::ledger.monetary + '0.99 KWD'", [str(Money('1.001', 'KWD'))])
            self.assertEqual(Money.parse(cursor.fetchone()[0]), Money('1.991', 'KWD'))
