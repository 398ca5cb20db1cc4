from decimal import Decimal

from django.test import SimpleTestCase

from payments.money import CurrencyMismatch, Money

HUGE = '170141183460469231731687303715884105.27 USD'


class MoneyTests(SimpleTestCase):
    def test_parses_and_writes_back_the_server_text_exactly(self):
        for text, amount, currency in [
            ('12.50 USD', '12.50', 'USD'),
            ('-0.01 USD', '-0.01', 'USD'),
            ('0.00 USD', '0.00', 'USD'),
            ('1000 JPY', '1000', 'JPY'),
            ('-5 JPY', '-5', 'JPY'),
            ('1.500 KWD', '1.500', 'KWD'),
            (HUGE, '170141183460469231731687303715884105.27', 'USD'),
            ('-' + HUGE, '-170141183460469231731687303715884105.27', 'USD'),
        ]:
            with self.subTest(text=text):
                money = Money.parse(text)
                self.assertEqual(money.amount, Decimal(amount))
                self.assertEqual(money.currency, currency)
                self.assertEqual(str(money), text)

    def test_refuses_floats(self):
        for amount in (0.1, 1.0, float('nan'), True):
            with self.subTest(amount=amount), self.assertRaises(TypeError):
                Money(amount, 'USD')

    def test_refuses_non_finite_and_malformed(self):
        for amount in ('NaN', 'Infinity', '12,50', ''):
            with self.subTest(amount=amount), self.assertRaises(ValueError):
                Money(amount, 'USD')
        with self.assertRaises(ValueError):
            Money('1', 'US')
        for text in ('12.5USD', 'USD 12.50', '1e3 USD', '.5 USD', '12.50 usd', '12.50 USD '):
            with self.subTest(text=text), self.assertRaises(ValueError):
                Money.parse(text)

    def test_never_writes_an_exponent_or_negative_zero(self):
        self.assertEqual(str(Money(Decimal('1E+3'), 'JPY')), '1000 JPY')
        self.assertEqual(str(Money(Decimal('-0.00'), 'usd')), '0.00 USD')

    def test_arithmetic_is_exact_beyond_28_digits(self):
        huge = Money.parse(HUGE)
        cent = Money('0.01', 'USD')
        self.assertEqual(str(huge - cent), '170141183460469231731687303715884105.26 USD')
        self.assertEqual(str(-huge + huge), '0.00 USD')
        self.assertEqual(str(Money('0.10', 'USD') + Money('0.20', 'USD')), '0.30 USD')

    def test_equality_and_ordering(self):
        self.assertEqual(Money('12.5', 'USD'), Money('12.50', 'USD'))
        self.assertNotEqual(Money('1', 'USD'), Money('1', 'EUR'))
        self.assertLess(Money('-0.01', 'USD'), Money('0.00', 'USD'))
        with self.assertRaises(CurrencyMismatch):
            Money('1', 'USD') < Money('2', 'EUR')
        with self.assertRaises(CurrencyMismatch):
            Money('1', 'USD') + Money('2', 'EUR')
