-- ledger.withdraw() from a random funded account: every call succeeds and credits the
-- currency's external account, which is spread over slots (16 by default).
\set a random(2, :accounts + 1)
SELECT ledger.withdraw(:a, '0.01 USD');
