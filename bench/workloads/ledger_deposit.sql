-- ledger.deposit() into a random account: every call debits the currency's external account,
-- which is spread over slots (16 by default).
\set a random(2, :accounts + 1)
SELECT ledger.deposit(:a, '0.01 USD');
