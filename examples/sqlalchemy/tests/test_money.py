import unittest
from decimal import Decimal

from sqlalchemy import Numeric, Text, cast, func, literal, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from ledgerdb import Account, Monetary, Money
from tests.support import default_ledger, engine, unique, usd

HUGE = "170141183460469231731687303715884105.27 USD"  # (2^127 - 1) minor units of USD

SERVER_FORMS = ["12.50 USD", "-0.01 USD", "0.00 USD", "1000 JPY", "-7 JPY", "1.500 KWD",
                "-0.001 KWD", "0.0001 CLF", HUGE, "-" + HUGE]


class MoneyValueTest(unittest.TestCase):
    def test_parse_and_write_back_exactly(self):
        for text in SERVER_FORMS:
            with self.subTest(text=text):
                self.assertEqual(str(Money.parse(text)), text)

    def test_parse_keeps_every_digit(self):
        money = Money.parse(HUGE)
        self.assertEqual(money.amount, Decimal("170141183460469231731687303715884105.27"))
        self.assertEqual(money.currency, "USD")
        self.assertEqual(Money.parse("1.500 KWD").amount.as_tuple().exponent, -3)

    def test_refuses_floats(self):
        with self.assertRaises(TypeError):
            Money(0.1, "USD")
        with self.assertRaises(TypeError):
            Money(True, "USD")

    def test_refuses_what_is_not_an_exact_amount(self):
        for amount in ["1e3", "NaN", "12,50", ".5", "5.", ""]:
            with self.subTest(amount=amount), self.assertRaises(ValueError):
                Money(amount, "USD")
        for amount in [Decimal("NaN"), Decimal("Infinity")]:
            with self.subTest(amount=amount), self.assertRaises(ValueError):
                Money(amount, "USD")
        for text in ["12.50USD", "12.50 usd", "USD 12.50", "1e3 USD", "12.50 USD ", "Infinity USD"]:
            with self.subTest(text=text), self.assertRaises(ValueError):
                Money.parse(text)

    def test_writes_plain_digits(self):
        self.assertEqual(str(Money(Decimal("1E+3"), "jpy")), "1000 JPY")
        self.assertEqual(str(Money(Decimal("-0.00"), "USD")), "0.00 USD")
        self.assertEqual(str(Money(5, "USD")), "5 USD")

    def test_arithmetic_is_exact(self):
        self.assertEqual(usd("0.10") + usd("0.20"), usd("0.30"))
        self.assertEqual(Money.parse(HUGE) - usd("0.27"), usd("170141183460469231731687303715884105"))
        self.assertEqual(str(-Money.parse(HUGE)), "-" + HUGE)
        self.assertLess(usd("-0.01"), usd("0.00"))
        with self.assertRaises(ValueError):
            usd("1.00") + Money("1.00", "EUR")
        with self.assertRaises(ValueError):
            usd("1.00") < Money("1.00", "EUR")


class MonetaryColumnTest(unittest.TestCase):
    """Round trips through PostgreSQL: Money in as a bound parameter, Money out of a result."""

    def round_trip(self, value):
        with engine().connect() as conn:
            return conn.execute(select(literal(value, Monetary()),
                                       func.ledger.amount(literal(value, Monetary()), type_=Numeric()),
                                       func.ledger.currency(literal(value, Monetary()), type_=Text())
                                       )).one()

    def test_server_forms_round_trip(self):
        for text in SERVER_FORMS:
            with self.subTest(text=text):
                back, amount, currency = self.round_trip(Money.parse(text))
                self.assertIsInstance(back, Money)
                self.assertEqual(str(back), text)
                self.assertEqual(amount, Money.parse(text).amount)
                self.assertEqual(currency, Money.parse(text).currency)

    def test_server_normalises_to_the_currency_decimals(self):
        back, _, _ = self.round_trip(Money("12.5", "usd"))
        self.assertEqual(str(back), "12.50 USD")
        back, _, _ = self.round_trip(Money("3", "KWD"))
        self.assertEqual(str(back), "3.000 KWD")

    def test_server_refuses_more_decimals_than_the_currency_has(self):
        with engine().connect() as conn, self.assertRaises(StatementError) as raised:
            conn.execute(select(literal(usd("0.001"), Monetary())))
        self.assertEqual(raised.exception.orig.pgcode, "22P02")

    def test_binding_refuses_anything_but_money(self):
        with engine().connect() as conn:
            for value in [0.1, Decimal("0.10"), "0.10 USD"]:
                with self.subTest(value=value), self.assertRaises(StatementError) as raised:
                    conn.execute(select(literal(value, Monetary())))
                self.assertIsInstance(raised.exception.orig, TypeError)

    def test_text_cast_matches_the_parser(self):
        with engine().connect() as conn:
            written = conn.scalar(select(cast(literal(Money.parse(HUGE), Monetary()), Text())))
        self.assertEqual(written, HUGE)

    def test_mapped_columns_read_as_money(self):
        ledger = default_ledger()
        account_id = ledger.create_account(unique("kwd"), "KWD", max_balance=Money("5000", "KWD"))
        ledger.deposit(account_id, Money("1234.567", "KWD"), unique("dep"))
        with Session(engine(), future=True) as session:
            account = session.get(Account, account_id)
            self.assertEqual(str(account.balance), "1234.567 KWD")
            self.assertEqual(account.min_balance, Money(0, "KWD"))
            self.assertEqual(str(account.max_balance), "5000.000 KWD")
            # The operator lives in pg_catalog, so it resolves on any search_path, even one
            # without schema ledger (run-tests sets none; this makes sure of it).
            session.execute(text("SET LOCAL search_path = public"))
            found = session.scalars(select(Account.id).where(
                Account.id == account_id, Account.balance >= Money("1234.567", "KWD"))).all()
            self.assertEqual(found, [account_id])

    def test_mapped_classes_are_read_only(self):
        ledger = default_ledger()
        account_id = ledger.create_account(unique("ro"), "USD")
        with Session(engine(), future=True) as session:
            account = session.get(Account, account_id)
            account.balance = usd("1000000.00")
            with self.assertRaises(TypeError):
                session.flush()
            session.rollback()
        with engine().connect() as conn:
            self.assertEqual(conn.scalar(select(Account.balance).where(Account.id == account_id)),
                             usd("0.00"))


if __name__ == "__main__":
    unittest.main()
