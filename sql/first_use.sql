-- Right after CREATE EXTENSION, with the default search_path: the type's operators and its
-- aggregates resolve without naming schema ledger, and a schema the caller controls cannot
-- stand in for them in the ledger's own functions.
SELECT current_database() AS regress_database \gset
CREATE DATABASE ledger_first_use;
\c ledger_first_use
CREATE EXTENSION ledger;
CREATE FUNCTION public.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
SHOW search_path;
SELECT '12.50 USD'::ledger.monetary + '0.75 USD' AS plus, - '1 EUR'::ledger.monetary AS minus,
       '0.10 USD'::ledger.monetary * 3 AS times, '10 USD'::ledger.monetary / '4 USD' AS ratio,
       '1 USD'::ledger.monetary = '1.00 USD' AS equal, '1 USD'::ledger.monetary < '2 USD' AS less;
CREATE TABLE payments (id int, amount ledger.monetary);
INSERT INTO payments VALUES (1, '5.00 USD'), (2, '7.25 USD'), (3, '1 EUR'), (4, '2 EUR');
SELECT ledger.currency(amount) AS currency, sum(amount), min(amount), max(amount), count(*)
  FROM payments GROUP BY 1 ORDER BY 1;
SELECT id, amount FROM payments ORDER BY amount;
SELECT id FROM payments WHERE amount IN ('7.25 USD', '2 EUR') ORDER BY id;
SELECT sum(amount) FROM payments WHERE ledger.currency(amount) = 'USD';

-- A caller's schema first on the path: its look-alike operator is the caller's own choice, but
-- the ledger's functions (search_path pinned to pg_catalog) never see it.
CREATE SCHEMA shadow;
CREATE FUNCTION shadow.always_true(ledger.monetary, ledger.monetary) RETURNS boolean
    LANGUAGE sql RETURN true;
CREATE OPERATOR shadow.= (LEFTARG = ledger.monetary, RIGHTARG = ledger.monetary,
                          FUNCTION = shadow.always_true);
SET search_path = shadow, public;
SELECT '1 USD'::ledger.monetary = '2 USD' AS pg_catalog_comes_first;
SET search_path = shadow, pg_catalog, public;
SELECT '1 USD'::ledger.monetary = '2 USD' AS shadowed_when_asked;
SELECT ledger.create_account('first', 'USD') AS first, ledger.create_account('second', 'USD') AS second \gset
SELECT ledger.deposit(:first, '10 USD') > 0 AS deposited;
SELECT ledger.transfer(:first, :second, '3 USD', 'shadow-key') AS first_transfer \gset
SELECT ledger.transfer(:first, :second, '3 USD', 'shadow-key') = :first_transfer AS same_transfer;
SELECT public.error_of('SELECT ledger.transfer(' || :first || ', ' || :second
                       || ', ''4 USD'', ''shadow-key'')') AS other_amount_same_key;
SELECT count(*) AS violations FROM ledger.verify();
RESET search_path;

\c :regress_database
DROP DATABASE ledger_first_use;
