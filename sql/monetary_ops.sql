-- Arithmetic, comparison, operator classes and aggregates of ledger.monetary.
SET search_path = public, ledger;

-- Arithmetic within one currency is exact.
SELECT '12.50 USD'::monetary + '0.75 USD' AS sum,
       '12.50 USD'::monetary - '20 USD' AS difference,
       -'12.50 USD'::monetary AS negated,
       -'-0.01 USD'::monetary AS negated_negative,
       abs('-3.10 EUR'::monetary) AS absolute,
       '0.10 USD'::monetary * 3 AS times_int,
       7 * '1.001 KWD'::monetary AS int_times,
       '5 JPY'::monetary * -2::bigint AS times_negative;

-- Mixing currencies, and overflow, are errors.
SELECT error_of($$SELECT '1 USD'::ledger.monetary + '1 EUR'$$);
SELECT error_of($$SELECT '1 USD'::ledger.monetary - '1 EUR'$$);
SELECT error_of($$SELECT '170141183460469231731687303715884105727 JPY'::ledger.monetary + '1 JPY'$$);
SELECT error_of($$SELECT '-170141183460469231731687303715884105727 JPY'::ledger.monetary - '1 JPY'$$);
SELECT error_of($$SELECT '100000000000000000000 JPY'::ledger.monetary * 9223372036854775807$$);
SELECT error_of($$SELECT -9223372036854775807 * '100000000000000000000 JPY'::ledger.monetary$$);
-- There is no operator that could round: no monetary * numeric, no monetary / integer.
SELECT error_of($$SELECT '1 USD'::ledger.monetary * 1.5$$);
SELECT error_of($$SELECT '1 USD'::ledger.monetary / 3$$);
SELECT error_of($$SELECT '1 USD'::ledger.monetary + 1$$);

-- Equality works across currencies; ordering does not.
SELECT '1 USD'::monetary = '1.00 USD' AS same, '1 USD'::monetary = '1 EUR' AS cross_eq,
       '1 USD'::monetary <> '1 EUR' AS cross_ne, '1 USD'::monetary <> '2 USD' AS ne;
SELECT '1 USD'::monetary < '2 USD' AS lt, '2 USD'::monetary <= '2 USD' AS le,
       '-1 USD'::monetary > '-2 USD' AS gt, '2 USD'::monetary >= '3 USD' AS ge;
SELECT op, error_of(format($$SELECT '1 USD'::ledger.monetary OPERATOR(pg_catalog.%s) '1 EUR'$$, op))
FROM (VALUES ('<'), ('<='), ('>'), ('>=')) AS t(op);

-- Operator classes: indexes, ORDER BY, DISTINCT, GROUP BY, merge and hash joins.
CREATE TABLE payments (id int PRIMARY KEY, amount monetary NOT NULL);
INSERT INTO payments
SELECT i, monetary((i % 7) - 3 + (i % 3) / 100.0, 'USD') FROM generate_series(1, 200) AS i;
CREATE INDEX payments_amount ON payments (amount);
CREATE INDEX payments_amount_hash ON payments USING hash (amount);
ANALYZE payments;
SET enable_seqscan = off;
-- A range within one currency is an index scan with the btree class's own operators; >= itself
-- raises across currencies, so it is no index operator.
EXPLAIN (COSTS OFF) SELECT count(*) FROM payments WHERE amount ~>=~ '2 USD' AND amount ~<~ '3 USD';
SELECT count(*) FROM payments WHERE amount ~>=~ '2 USD' AND amount ~<~ '3 USD';
SELECT count(*) FROM payments WHERE amount >= '2 USD' AND amount < '3 USD';
SELECT count(*) FROM payments WHERE amount = '2.01 USD';
SET enable_indexscan = off;
SET enable_bitmapscan = on;
EXPLAIN (COSTS OFF) SELECT count(*) FROM payments WHERE amount = '2.01 USD';
RESET enable_seqscan; RESET enable_indexscan; RESET enable_bitmapscan;
SELECT DISTINCT amount FROM payments WHERE amount > '2 USD' ORDER BY amount;
SELECT amount, count(*) FROM payments WHERE amount < '-2.98 USD' GROUP BY amount ORDER BY amount DESC;
SET enable_hashagg = off;
SELECT amount, count(*) FROM payments WHERE amount < '-2.98 USD' GROUP BY amount ORDER BY 1;
RESET enable_hashagg;
-- Deduplication is possible because equal values are equal images.
SELECT amproc::regproc FROM pg_amproc
WHERE amprocfamily = (SELECT opcfamily FROM pg_opclass WHERE opcname = 'monetary_ops')
ORDER BY amprocnum;

SET enable_hashjoin = off; SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM payments a JOIN payments b ON a.amount = b.amount;
SELECT count(*) FROM payments a JOIN payments b ON a.amount = b.amount;
RESET enable_hashjoin; SET enable_mergejoin = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM payments a JOIN payments b ON a.amount = b.amount;
SELECT count(*) FROM payments a JOIN payments b ON a.amount = b.amount;
RESET enable_mergejoin; RESET enable_nestloop;

-- A mixed-currency column: equality, hashing and DISTINCT work; ORDER BY and btree indexes use
-- the total order (currency, then amount); < and max raise.
CREATE TABLE mixed (amount monetary);
INSERT INTO mixed VALUES ('3 USD'), ('1 EUR'), ('2 USD'), ('5 JPY'), ('1 EUR'), ('-4 EUR');
SELECT count(*) FROM mixed WHERE amount = ANY (ARRAY['1 EUR', '3 USD']::monetary[]);
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT DISTINCT amount FROM mixed;
SELECT count(*) FROM (SELECT DISTINCT amount FROM mixed) AS d;
RESET enable_sort;
SELECT amount FROM mixed ORDER BY amount;
SELECT amount FROM mixed ORDER BY currency(amount), amount;
CREATE INDEX mixed_by_currency ON mixed (currency(amount), amount);
CREATE INDEX mixed_amount ON mixed (amount);
SELECT error_of($$SELECT amount FROM mixed WHERE amount > '2 USD'$$);
SELECT error_of($$SELECT max(amount) FROM mixed$$);
SELECT currency(amount), sum(amount), min(amount), max(amount), count(*)
FROM mixed GROUP BY 1 ORDER BY 1;

-- Aggregates: exact sums, NULL over no rows, errors over mixed currencies and on overflow.
SELECT sum(amount), min(amount), max(amount) FROM payments;
SELECT sum(amount) = monetary(sum(amount(amount)), 'USD') AS matches_numeric_sum FROM payments;
SELECT sum(amount), min(amount), max(amount) FROM payments WHERE false;
SELECT sum(amount) FROM (VALUES (NULL::monetary), ('1.10 USD'), (NULL)) AS t(amount);
SELECT error_of($$SELECT sum(amount) FROM mixed$$);
SELECT error_of($$SELECT sum(a) FROM (VALUES ('170141183460469231731687303715884105727 JPY'::ledger.monetary), ('1 JPY')) AS t(a)$$);
-- Only the final total is range-checked, so the result depends on the values and not on their
-- order: a partial total may pass the end of the range and come back.
SELECT sum(a) FROM (VALUES ('170141183460469231731687303715884105727 JPY'::monetary), ('1 JPY'),
                           ('-1 JPY')) AS t(a);
SELECT error_of($$SELECT sum(a) FROM (VALUES ('-170141183460469231731687303715884105727 JPY'::ledger.monetary), ('-1 JPY')) AS t(a)$$);

-- The aggregates run in parallel, through their combine functions.
CREATE TABLE many AS SELECT monetary(i / 100.0, 'EUR') AS amount FROM generate_series(1, 100000) AS i;
ANALYZE many;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT sum(amount), min(amount), max(amount) FROM many;
SELECT sum(amount) = monetary(sum(amount(amount)), 'EUR') AS matches_numeric_sum FROM many;
SELECT sum(amount), min(amount), max(amount) FROM many;
-- Parallel workers' partial totals far beyond the range still combine to the exact total.
CREATE TABLE extremes AS
    SELECT monetary(CASE WHEN i <= 50000 THEN 1 ELSE -1 END * (2::numeric ^ 127 - 1), 'JPY') AS amount
      FROM generate_series(1, 100001) AS i;
ANALYZE extremes;
EXPLAIN (COSTS OFF) SELECT sum(amount) FROM extremes;
SELECT sum(amount) FROM extremes;
SELECT error_of($$SELECT sum(amount) FROM extremes WHERE amount OPERATOR(pg_catalog.>) '0 JPY'$$);
-- Regression: a worker or group that saw only NULLs has no state, which must reach the
-- serialize function as NULL (a null pointer crashed the server).
CREATE TABLE all_null AS SELECT NULL::monetary AS amount FROM generate_series(1, 300000);
ANALYZE all_null;
EXPLAIN (COSTS OFF) SELECT sum(amount) FROM all_null;
SELECT sum(amount) IS NULL AS null_sum FROM all_null;
CREATE TABLE grouped AS
    SELECT i % 3 AS k, CASE WHEN i % 3 = 0 THEN NULL ELSE monetary(i, 'JPY') END AS amount
      FROM generate_series(1, 300000) AS i;
ANALYZE grouped;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT k, sum(amount) FROM grouped GROUP BY k;
SELECT k, sum(amount), sum(amount) = monetary(sum(amount(amount)), 'JPY') AS matches_numeric_sum
  FROM grouped GROUP BY k ORDER BY k;
RESET enable_sort;
SELECT sum(amount) = monetary(sum(amount(amount)), 'EUR') AS matches_numeric_sum FROM many;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
