-- The type under forced JIT with inlining of the installed bitcode: expressions over
-- ledger.monetary compile, inline the C++ functions, and errors thrown inside inlined code
-- still reach the client as the documented SQLSTATE (EXPLAIN shows JIT only with costs on).
-- scripts/test also runs the type's regression files and the hostile file once more with these
-- settings.
SET search_path = public, ledger;
SET jit = on;
SET jit_above_cost = 0;
SET jit_inline_above_cost = 0;
SET jit_optimize_above_cost = 0;
SELECT pg_jit_available() AS jit_available;
CREATE TABLE jit_amounts AS
    SELECT ledger.monetary(i, CASE WHEN i % 2 = 0 THEN 'USD' ELSE 'JPY' END) AS m
      FROM generate_series(1, 1000) i;
CREATE FUNCTION jit_plan(query text) RETURNS TABLE (functions int, inlined boolean)
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF) ' || query INTO plan;
    RETURN QUERY SELECT (plan -> 0 -> 'JIT' ->> 'Functions')::int,
                        (plan -> 0 -> 'JIT' -> 'Options' ->> 'Inlining')::boolean;
END
$$;
SELECT functions > 0 AS compiled, inlined
  FROM jit_plan($$SELECT sum(m + m), count(*) FILTER (WHERE m > '10 USD') FROM jit_amounts
                  WHERE currency(m) = 'USD'$$);
SELECT sum(m + m), count(*) FILTER (WHERE m > '10 USD') FROM jit_amounts WHERE currency(m) = 'USD';
SELECT error_of($$SELECT count(*) FROM jit_amounts WHERE m > '10 USD'$$) AS compare_across;
SELECT error_of($$SELECT sum(m + '170141183460469231731687303715884105.72 USD') FROM jit_amounts
                  WHERE currency(m) = 'USD'$$) AS overflow;
SELECT error_of($$SELECT m + '1 EUR' FROM jit_amounts$$) AS add_across;
SELECT count(DISTINCT m), min(m::text) FROM jit_amounts;
DROP TABLE jit_amounts;
DROP FUNCTION jit_plan(text);
