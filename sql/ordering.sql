-- Ordering and equality of ledger.monetary: ANALYZE works on columns that mix currencies, every
-- plan gives the same answer, and < > min max sum still raise LG001 across currencies.
SET search_path = public, ledger;

CREATE TABLE assorted (id int PRIMARY KEY, m ledger.monetary NOT NULL);
INSERT INTO assorted
SELECT i, ledger.monetary((i % 50) - 10, (ARRAY['USD', 'EUR', 'JPY', 'KWD', 'ETH'])[i % 5 + 1])
  FROM generate_series(1, 3000) i;
CREATE TABLE assorted_more (m ledger.monetary NOT NULL);
INSERT INTO assorted_more SELECT m FROM assorted WHERE id % 7 = 0;
INSERT INTO assorted_more VALUES ('1000 USD'), ('1000 EUR');

-- ANALYZE sorts its sample with the btree class: the whole database, the ledger's own tables
-- holding three currencies among them.
SELECT ledger.create_account('analyze-usd', 'USD') AS u, ledger.create_account('analyze-eur', 'EUR') AS e,
       ledger.create_account('analyze-eth', 'ETH') AS x \gset
SELECT ledger.deposit(:u, '10 USD') > 0 AS usd, ledger.deposit(:e, '10 EUR') > 0 AS eur,
       ledger.deposit(:x, '0.000000000000000001 ETH') > 0 AS eth;
ANALYZE;
SELECT tablename, attname, n_distinct <> 0 AS has_stats,
       histogram_bounds IS NOT NULL OR most_common_vals IS NOT NULL AS has_values
  FROM pg_stats
 WHERE (schemaname = 'ledger' AND tablename IN ('balances', 'transfers', 'entries')
        AND attname IN ('balance', 'amount', 'balance_after'))
    OR (schemaname = 'public' AND tablename = 'assorted' AND attname = 'm')
 ORDER BY 1, 2;

-- The btree order: currency code, then minor units, then amount. It never raises.
SELECT m FROM (VALUES ('2 USD'::ledger.monetary), ('-1 USD'), ('5 EUR'), ('1 ETH'), ('3 JPY'),
                      ('0.5 EUR')) v(m)
 ORDER BY m;
SELECT ledger.monetary_cmp('1 USD', '1 EUR') AS usd_eur, ledger.monetary_cmp('1 EUR', '2 EUR') AS one_two,
       ledger.monetary_cmp('2 JPY', '2 JPY') AS same;
-- Within one currency a btree index answers range queries with the class's own operators:
-- everything from 10 USD to below 20 USD is USD.
CREATE INDEX assorted_m ON assorted (m);
ANALYZE assorted;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM assorted WHERE m ~>=~ '10 USD' AND m ~<~ '20 USD';
SELECT count(*) AS indexed,
       (SELECT count(*) FROM assorted
         WHERE currency(m) = 'USD' AND amount(m) >= 10 AND amount(m) < 20) AS expected
  FROM assorted WHERE m ~>=~ '10 USD' AND m ~<~ '20 USD';
RESET enable_seqscan;
RESET enable_bitmapscan;
-- ORDER BY ... USING < and row comparisons order through the comparison class, whose order is
-- the total one: they never evaluate <, and sort like ORDER BY.
SELECT string_agg(m::text, ',' ORDER BY m USING <) = string_agg(m::text, ',' ORDER BY m) AS same_order,
       ('1 USD'::ledger.monetary, 0) < ('1 EUR'::ledger.monetary, 0) AS row_compare
  FROM assorted;
-- On a column of one currency, the non-default class ledger.monetary_comparison_ops lets an
-- index serve < itself; on a column of several, its scan raises where it meets another currency,
-- as a sequential scan does.
CREATE TABLE usd_only AS SELECT m FROM assorted WHERE currency(m) = 'USD';
CREATE INDEX usd_only_m ON usd_only (m ledger.monetary_comparison_ops);
ANALYZE usd_only;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM usd_only WHERE m < '5 USD';
SELECT count(*) FROM usd_only WHERE m < '5 USD';
RESET enable_seqscan;
SELECT count(*) FROM usd_only WHERE m < '5 USD';
CREATE INDEX assorted_compared ON assorted (m ledger.monetary_comparison_ops);
SET enable_seqscan = off;
SELECT error_of($$SELECT count(*) FROM assorted WHERE m < '5 USD'$$) AS index_scan_across;
-- A join on = never plans with the comparison class, even beside such an index on a column of
-- several currencies (the planner would estimate a merge join by evaluating < on its statistics).
SET enable_hashjoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM assorted a JOIN assorted_more b ON a.m = b.m;
SELECT count(*) AS merge_joined FROM assorted a JOIN assorted_more b ON a.m = b.m;
SELECT count(*) AS with_sort_using_less
  FROM (SELECT a.m FROM assorted a JOIN assorted_more b ON a.m = b.m ORDER BY a.m USING <) j;
RESET enable_hashjoin;
RESET enable_nestloop;
RESET enable_seqscan;
DROP INDEX assorted_compared;
DROP TABLE usd_only;

-- Every plan gives one answer. Each query runs under plans that scan by index or sequentially,
-- sort or hash, and join by merge, hash or nested loop; answers() returns the distinct results
-- (rendered as sorted text) and the plan nodes seen.
CREATE FUNCTION answers(query text) RETURNS TABLE (results bigint, answer text, plans text)
LANGUAGE plpgsql AS $$
DECLARE
    setting text;
    settings text[] := ARRAY[
        'enable_indexscan=off,enable_indexonlyscan=off,enable_bitmapscan=off,enable_sort=off,enable_mergejoin=off,enable_nestloop=off',
        'enable_seqscan=off,enable_bitmapscan=off,enable_hashagg=off,enable_hashjoin=off,enable_nestloop=off',
        'enable_seqscan=off,enable_bitmapscan=off,enable_hashagg=off,enable_hashjoin=off,enable_mergejoin=off',
        'enable_indexscan=off,enable_indexonlyscan=off,enable_hashagg=off,enable_hashjoin=off,enable_nestloop=off'];
    pair text;
    result text;
    plan_line text;
    nodes text[] := '{}';
    seen text[] := '{}';
BEGIN
    FOREACH setting IN ARRAY settings LOOP
        FOREACH pair IN ARRAY string_to_array(setting, ',') LOOP
            PERFORM set_config(split_part(pair, '=', 1), split_part(pair, '=', 2), true);
        END LOOP;
        EXECUTE 'SELECT string_agg(r::text, '';'' ORDER BY r::text) FROM (' || query || ') r'
           INTO result;
        seen := seen || coalesce(result, '(none)');
        FOR plan_line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
            plan_line := substring(plan_line FROM '(Index Only Scan|Index Scan|Seq Scan|Merge Join|Hash Join|Nested Loop|HashAggregate|GroupAggregate|Unique|Sort|Hash)');
            IF plan_line IS NOT NULL AND NOT plan_line = ANY (nodes) THEN
                nodes := nodes || plan_line;
            END IF;
        END LOOP;
        FOREACH pair IN ARRAY string_to_array(setting, ',') LOOP
            PERFORM set_config(split_part(pair, '=', 1), 'on', true);
        END LOOP;
    END LOOP;
    RETURN QUERY SELECT count(DISTINCT s), min(s), array_to_string(ARRAY(SELECT unnest(nodes) ORDER BY 1), ', ')
                   FROM unnest(seen) s;
END
$$;

SELECT results, answer, plans FROM answers($$SELECT count(*) FROM assorted WHERE m = '5.00 USD'$$);
SELECT results, answer, plans
  FROM answers($$SELECT id FROM assorted WHERE m IN ('5.00 USD', '-3 EUR', '7 JPY', '0 ETH') AND id < 200$$);
SELECT results, length(answer) AS answer_length, plans FROM answers($$SELECT DISTINCT m FROM assorted$$);
SELECT results, length(answer) AS answer_length, plans FROM answers($$SELECT m, count(*) FROM assorted GROUP BY m$$);
SELECT results, length(answer) AS answer_length, plans FROM answers($$SELECT m FROM assorted UNION SELECT m FROM assorted_more$$);
SELECT results, answer, plans FROM answers($$SELECT count(DISTINCT m) FROM assorted$$);
SELECT results, answer, plans FROM answers($$SELECT count(*) FROM assorted a JOIN assorted_more b ON a.m = b.m$$);
SELECT results, answer, plans FROM answers($$SELECT count(*) FROM assorted WHERE m NOT IN (SELECT m FROM assorted_more WHERE currency(m) <> 'EUR')$$);

-- Planning never evaluates a raising comparison on statistics that hold several currencies.
EXPLAIN (COSTS OFF) SELECT * FROM assorted WHERE currency(m) = 'USD' AND m < '5 USD';
EXPLAIN (COSTS OFF) SELECT * FROM assorted WHERE m >= '5 EUR';

-- Comparing two currencies raises wherever it is evaluated, whatever the plan.
SELECT error_of($$SELECT count(*) FROM assorted WHERE m < '5 USD'$$) AS less_than;
SELECT error_of($$SELECT count(*) FROM assorted WHERE m BETWEEN '1 USD' AND '5 USD'$$) AS between;
SELECT error_of($$SELECT min(m) FROM assorted$$) AS min, error_of($$SELECT max(m) FROM assorted$$) AS max,
       error_of($$SELECT sum(m) FROM assorted$$) AS sum;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT min(m) FROM assorted;
SELECT error_of($$SELECT min(m) FROM assorted$$) AS min_with_index,
       error_of($$SELECT max(m) FROM assorted$$) AS max_with_index;
RESET enable_seqscan;
SELECT min(m), max(m), sum(m) FROM assorted WHERE currency(m) = 'KWD';
SELECT error_of($$SELECT ledger.monetary_lt('1 USD', '1 EUR')$$) AS lt,
       error_of($$SELECT '1 USD'::ledger.monetary >= '1 EUR'$$) AS ge;

DROP TABLE assorted, assorted_more;
DROP FUNCTION answers(text);
