-- ledger.transfer() between two random, distinct accounts.
\set a random(2, :accounts + 1)
\set b 2 + ((:a - 2 + random(1, :accounts - 1)) % :accounts)
SELECT ledger.transfer(:a, :b, '0.01 USD');
