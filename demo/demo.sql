-- A short tour of ledger.monetary: what it stores, and the mistakes it refuses.
\set QUIET on
\pset footer off
CREATE EXTENSION ledger;
SET search_path = public, ledger;

\echo '== Exact amounts, tagged with their currency; any case, either order, canonical output'
SELECT '12.5 usd'::monetary AS usd, 'JPY 1000'::monetary AS jpy, '1.5 KWD'::monetary AS kwd,
       '0.0001 CLF'::monetary AS clf;

\echo '== Arithmetic is exact and overflow-checked over 128 bits'
SELECT '0.10 USD'::monetary + '0.20 USD' AS "0.10 + 0.20",
       '170141183460469231731687303715884105727 JPY'::monetary AS largest_jpy;

\echo '== Mistakes other money types let through are errors here:'
\set ON_ERROR_STOP off
\echo '-- NaN is not money'
SELECT 'NaN USD'::monetary;
\echo '-- a dollar has two decimals, not three'
SELECT '0.001 USD'::monetary;
\echo '-- dollars plus euros'
SELECT '1 USD'::monetary + '1 EUR';
\echo '-- is 1 USD less than 1 EUR?'
SELECT '1 USD'::monetary < '1 EUR';
\echo '-- one minor unit past the 127-bit range'
SELECT '170141183460469231731687303715884105727 JPY'::monetary + '1 JPY';
\echo '-- no operator rounds silently'
SELECT '10.00 USD'::monetary * 1.075;
\set ON_ERROR_STOP on

\echo '== Rounding happens only where you ask for it, in the mode you name'
SELECT scale('10.00 USD', 1.075, 'half_even') AS "with tax (half_even)",
       convert('100.00 USD', 151.237, 'JPY', 'floor') AS "in JPY (floor)";

\echo '== Allocation never loses a cent'
SELECT allocate('100.00 USD', 3) AS "three ways", allocate('10.00 EUR', ARRAY[70, 20, 10]) AS "70/20/10";

\echo '== Your own currencies, with their own minor units'
SELECT create_currency('ETH', 18, 'Ether') AS registered;
SELECT '0.000000000000000001 ETH'::monetary + '1 ETH' AS "one ether and one wei";

\echo '== Sums per currency; different currencies are never equal'
SELECT currency(amount), sum(amount) FROM (VALUES ('1.10 USD'::monetary), ('2.20 USD'), ('5 EUR'))
    AS t(amount) GROUP BY 1 ORDER BY 1;
SELECT '1 USD'::monetary = '1 EUR' AS "1 USD = 1 EUR";

\echo '== The ledger: accounts, deposits, transfers, all or nothing'
SELECT create_account('alice', 'USD') AS alice, create_account('bob', 'USD') AS bob \gset
SELECT deposit(:alice, '100.00 USD') AS deposit,
       transfer(:alice, :bob, '30.00 USD', 'invoice-17') AS transfer,
       transfer(:alice, :bob, '30.00 USD', 'invoice-17') AS "same key again";
\set ON_ERROR_STOP off
\echo '-- alice cannot pay more than she has'
SELECT transfer(:alice, :bob, '70.01 USD');
\echo '-- nobody rewrites the log, not even its owner'
UPDATE transfers SET amount = '1.00 USD';
\set ON_ERROR_STOP on
SELECT name, balance, version, slots FROM account_balances ORDER BY id;
SELECT account_version, amount, balance_after FROM statement(:alice);

\echo '== A busy account split into slots; a batch of transfers in one call, all or nothing'
SELECT split_account(:bob, 4);
SELECT slot, balance FROM balances WHERE account_id = :bob ORDER BY slot;
SELECT * FROM transfer_many(ARRAY[:bob, :bob, :alice]::bigint[], ARRAY[:alice, :alice, :bob]::bigint[],
                            '{1.00 USD, 2.00 USD, 0.50 USD}');
SELECT name, balance, slots FROM account_balances WHERE NOT is_external ORDER BY id;
\echo '== verify(): no rows means every invariant holds'
SELECT * FROM verify();
