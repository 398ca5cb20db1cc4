-- ledger.transfer() between two random, distinct accounts. With -D hot_from=ID every transfer
-- debits account ID, with -D hot_to=ID every transfer credits it (0: no hot account).
\set a random(2, :accounts + 1)
\if :hot_from > 0
\set a :hot_from
\endif
\set b 2 + ((:a - 2 + random(1, :accounts - 1)) % :accounts)
\if :hot_to > 0
\set b :hot_to
\set a 2 + ((:b - 2 + random(1, :accounts - 1)) % :accounts)
\endif
SELECT ledger.transfer(:a, :b, '0.01 USD');
