-- ledger.transfer() between two random, distinct accounts; with -D hot=1 every transfer debits
-- the one hot account (id 2).
\set a random(2, :accounts + 1)
\set b 2 + ((:a - 2 + random(1, :accounts - 1)) % :accounts)
\if :hot
\set a 2
\set b random(3, :accounts + 1)
\endif
SELECT ledger.transfer(:a, :b, '0.01 USD');
