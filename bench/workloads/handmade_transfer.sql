-- What an application writes by hand: lock both rows in id order, check the balance, update
-- both, append one transfer and two entries, in one client-side transaction. With
-- -D hot_from=ID every transfer debits account ID, with -D hot_to=ID every transfer credits it
-- (0: no hot account).
\set a random(2, :accounts + 1)
\if :hot_from > 0
\set a :hot_from
\endif
\set b 2 + ((:a - 2 + random(1, :accounts - 1)) % :accounts)
\if :hot_to > 0
\set b :hot_to
\set a 2 + ((:b - 2 + random(1, :accounts - 1)) % :accounts)
\endif
BEGIN;
SELECT id FROM handmade.accounts WHERE id IN (:a, :b) ORDER BY id FOR UPDATE;
UPDATE handmade.accounts SET balance = balance - 1, version = version + 1
 WHERE id = :a AND balance - 1 >= coalesce(min_balance, balance - 1)
RETURNING version AS from_version, balance AS from_balance \gset
UPDATE handmade.accounts SET balance = balance + 1, version = version + 1 WHERE id = :b
RETURNING version AS to_version, balance AS to_balance \gset
INSERT INTO handmade.transfers (from_account, to_account, amount) VALUES (:a, :b, 1)
RETURNING id AS transfer_id \gset
INSERT INTO handmade.entries VALUES (:a, :from_version, :transfer_id, -1, :from_balance),
                                    (:b, :to_version, :transfer_id, 1, :to_balance);
END;
