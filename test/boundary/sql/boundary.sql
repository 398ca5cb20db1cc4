-- The C++/PostgreSQL boundary, in both directions. Run against the test-only probe module.
CREATE FUNCTION probe_postgres_error() RETURNS int
    AS 'ledger_boundary_probe', 'boundary_probe_postgres_error' LANGUAGE C;
CREATE FUNCTION probe_money_error() RETURNS int
    AS 'ledger_boundary_probe', 'boundary_probe_money_error' LANGUAGE C;
CREATE FUNCTION probe_foreign_exception(int) RETURNS int
    AS 'ledger_boundary_probe', 'boundary_probe_foreign_exception' LANGUAGE C;
CREATE FUNCTION probe_destroyed() RETURNS int
    AS 'ledger_boundary_probe', 'boundary_probe_destroyed' LANGUAGE C;

-- Reports everything a client would see of an error.
CREATE FUNCTION error_report(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
    hint text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN format('%s: %s | detail: %s | hint: %s', SQLSTATE, SQLERRM, detail, hint);
END
$$;

SELECT probe_destroyed() AS before;

-- PostgreSQL -> C++ -> PostgreSQL: the original error, with SQLSTATE, detail and hint, and both
-- C++ objects destroyed on the way.
SELECT error_report('SELECT probe_postgres_error()');
SELECT probe_destroyed() AS after_postgres_error;
SELECT probe_postgres_error();

-- C++ -> PostgreSQL: the ledger's SQLSTATE, message and hint; the object destroyed first.
SELECT error_report('SELECT probe_money_error()');
SELECT probe_destroyed() AS after_money_error;

-- Foreign exceptions: out of memory keeps its SQLSTATE, anything else is an internal error.
SELECT error_report('SELECT probe_foreign_exception(1)');
SELECT error_report('SELECT probe_foreign_exception(2)');
SELECT probe_destroyed() AS after_foreign;

-- The session is healthy afterwards, in and out of transactions.
BEGIN;
SELECT error_report('SELECT probe_postgres_error()');
SELECT 1 AS still_in_transaction;
COMMIT;
SELECT probe_destroyed() AS total;
