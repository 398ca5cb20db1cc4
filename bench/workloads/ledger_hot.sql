-- ledger.transfer() where every transfer debits one hot account.
\set b random(3, :accounts + 1)
SELECT ledger.transfer(2, :b, '0.01 USD');
