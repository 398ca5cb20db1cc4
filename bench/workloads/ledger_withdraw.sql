-- ledger.withdraw() where about one call in ten is refused for insufficient funds: one account
-- in ten of those drawn is empty.
\set a random(2, :accounts + 1)
\if random(1, 10) = 1
\set a :accounts + 1 + random(1, :accounts)
\endif
SELECT try_withdraw(:a, '0.01 USD');
