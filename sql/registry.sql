-- Registered currencies are read from the catalog as data: type input never runs SQL (it may be
-- called where no snapshot is active), only definitions the extension made count, and the
-- registry cannot drift from ledger.custom_currencies unseen. Runs in a database of its own,
-- since it drops and re-creates the extension.
SELECT current_database() AS regress_database \gset
CREATE DATABASE ledger_registry;
\c ledger_registry
CREATE EXTENSION ledger;
SET search_path = public, ledger;
CREATE FUNCTION public.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
SELECT create_currency('ETH', 18);
CREATE ROLE regress_ledger_user LOGIN;
CREATE PROCEDURE public.commit_then_read() LANGUAGE plpgsql AS $$
BEGIN
    COMMIT;
    RAISE NOTICE 'procedure read %', '3 ETH'::ledger.monetary;
END
$$;
GRANT EXECUTE ON PROCEDURE public.commit_then_read() TO regress_ledger_user;

-- No active snapshot: the first lookup of a new connection (a cold cache), after COMMIT, as a
-- role with no privilege on the ledger. 1.0 crashed the server on each of these.
\c - regress_ledger_user
DO $$BEGIN COMMIT; PERFORM '1 ETH'::ledger.monetary; RAISE NOTICE 'PERFORM after COMMIT read it'; END$$;
\c - regress_ledger_user
DO $$
DECLARE
    value ledger.monetary;
BEGIN
    COMMIT;
    EXECUTE $q$SELECT '2 ETH'::ledger.monetary$q$ INTO value;
    RAISE NOTICE 'EXECUTE after COMMIT read %', value;
END
$$;
\c - regress_ledger_user
CALL public.commit_then_read();
-- A cache emptied in the same session: any change to pg_proc empties it.
\c - regress_ledger_user
SELECT '4 ETH'::ledger.monetary AS warm;
CREATE FUNCTION pg_temp.touch_pg_proc() RETURNS int LANGUAGE sql RETURN 1;
DO $$BEGIN COMMIT; RAISE NOTICE 'cold again: %', '5 ETH'::ledger.monetary; END$$;
SELECT ledger.monetary(6, 'ETH') AS constructor;
\c - postgres
SET search_path = public, ledger;

-- Only the extension's own definitions are currencies: owned by its owner (or a superuser),
-- LANGUAGE sql, no arguments, integer, and a body that is one constant.
GRANT CREATE ON SCHEMA ledger TO regress_ledger_user;
SET ROLE regress_ledger_user;
CREATE FUNCTION ledger."currency:FAKE"() RETURNS integer LANGUAGE sql IMMUTABLE RETURN 2;
RESET ROLE;
REVOKE CREATE ON SCHEMA ledger FROM regress_ledger_user;
SELECT error_of($$SELECT '1 FAKE'::ledger.monetary$$) AS not_the_owners;
CREATE FUNCTION ledger."currency:PLPG"() RETURNS integer LANGUAGE plpgsql IMMUTABLE
    AS $$BEGIN RETURN 2; END$$;
SELECT error_of($$SELECT '1 PLPG'::ledger.monetary$$) AS not_sql;
CREATE FUNCTION ledger."currency:SUMS"() RETURNS integer LANGUAGE sql IMMUTABLE RETURN 1 + 1;
SELECT error_of($$SELECT '1 SUMS'::ledger.monetary$$) AS not_a_constant;
CREATE FUNCTION ledger."currency:HUGE"() RETURNS integer LANGUAGE sql IMMUTABLE RETURN 19;
SELECT error_of($$SELECT '1 HUGE'::ledger.monetary$$) AS out_of_range;
CREATE FUNCTION ledger."currency:ARGS"(x int DEFAULT 2) RETURNS integer LANGUAGE sql IMMUTABLE
    RETURN 2;
SELECT error_of($$SELECT '1 ARGS'::ledger.monetary$$) AS takes_arguments;
-- verify() names every definition that disagrees with custom_currencies.
SELECT invariant, subject, detail FROM verify() ORDER BY subject;
DROP FUNCTION ledger."currency:FAKE"(), ledger."currency:PLPG"(), ledger."currency:SUMS"(),
    ledger."currency:HUGE"(), ledger."currency:ARGS"(int);

-- A replaced definition is detected.
CREATE OR REPLACE FUNCTION ledger."currency:ETH"() RETURNS integer LANGUAGE sql IMMUTABLE RETURN 2;
SELECT invariant, subject, detail FROM verify();
CREATE OR REPLACE FUNCTION ledger."currency:ETH"() RETURNS integer LANGUAGE sql IMMUTABLE
    PARALLEL SAFE RETURN 18;
-- CREATE OR REPLACE also drops the function's dependency on the extension.
SELECT invariant, subject, detail FROM verify();
ALTER FUNCTION ledger."currency:ETH"() DEPENDS ON EXTENSION ledger;
SELECT count(*) AS violations FROM verify();
DROP FUNCTION ledger."currency:ETH"();
SELECT invariant, subject, detail FROM verify();
SELECT error_of($$SELECT '1 ETH'::ledger.monetary$$) AS dropped;
CREATE FUNCTION ledger."currency:ETH"() RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 18;
ALTER FUNCTION ledger."currency:ETH"() DEPENDS ON EXTENSION ledger;
SELECT '1 ETH'::ledger.monetary AS back;

-- Codes that text input could not read back are refused, and every registered code round-trips.
SELECT error_of($$SELECT create_currency('INF', 2)$$) AS inf;
SELECT error_of($$SELECT create_currency('nan', 2)$$) AS nan;
SELECT create_currency('INFX', 2) AS infx, create_currency('NANO', 9) AS nano,
       create_currency('E10', 0) AS e10, create_currency('X1E5', 3) AS x1e5;
SELECT code, v::text AS printed, v::text::ledger.monetary = v AS text_round_trip,
       (currency(v) || ' ' || amount(v))::ledger.monetary = v AS code_first
  FROM (SELECT code, ledger.monetary(-12, code) AS v FROM custom_currencies) c
 ORDER BY code;

-- One code at two scales (a registration rolled back and redone, kept in a variable) is two
-- currencies: nothing combines them, and messages name both scales.
DO $$
DECLARE
    two_decimals ledger.monetary;
    eight_decimals ledger.monetary;
    probe text;
BEGIN
    BEGIN
        PERFORM ledger.create_currency('TMQ', 2);
        two_decimals := '1.00 TMQ';
        RAISE EXCEPTION 'roll the registration back';
    EXCEPTION WHEN raise_exception THEN
        NULL;
    END;
    PERFORM ledger.create_currency('TMQ', 8);
    eight_decimals := '1.00000000 TMQ';
    RAISE NOTICE 'kept % and %; equal: %, ordered: %', two_decimals, eight_decimals,
        two_decimals = eight_decimals, ledger.monetary_cmp(two_decimals, eight_decimals);
    FOREACH probe IN ARRAY ARRAY['a + b', 'a - b', 'a < b', 'a >= b', 'a / b',
                                 'ledger.monetary_smaller(a, b)', 'ledger.monetary_larger(a, b)']
    LOOP
        BEGIN
            EXECUTE 'SELECT ' || probe || ' FROM (SELECT $1 AS a, $2 AS b) v'
                USING two_decimals, eight_decimals;
            RAISE NOTICE '%: no error', probe;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE '%: % %', probe, SQLSTATE, SQLERRM;
        END;
    END LOOP;
    -- verify() checks stored minor units against the registry (written here in replica mode,
    -- then rolled back).
    BEGIN
        PERFORM ledger.create_account('tmq account', 'TMQ', NULL);
        PERFORM set_config('session_replication_role', 'replica', true);
        UPDATE ledger.accounts SET max_balance = two_decimals WHERE name = 'tmq account';
        FOR probe IN SELECT v.invariant || ': ' || v.detail FROM ledger.verify() v ORDER BY 1 LOOP
            RAISE NOTICE 'verify: %', probe;
        END LOOP;
        RAISE EXCEPTION 'roll the corruption back';
    EXCEPTION WHEN raise_exception THEN
        NULL;
    END;
    FOREACH probe IN ARRAY ARRAY['sum(v)', 'min(v)', 'max(v)'] LOOP
        BEGIN
            EXECUTE 'SELECT ' || probe || '::text FROM (VALUES ($1), ($2)) t(v)'
                USING eight_decimals, two_decimals;
            RAISE NOTICE '%: no error', probe;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE '%: % %', probe, SQLSTATE, SQLERRM;
        END;
    END LOOP;
END
$$;

-- Registered currencies depend on the extension: DROP EXTENSION takes them along, with or
-- without CASCADE, and a new install does not see them.
SELECT p.oid::regprocedure AS definition, d.deptype
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                               AND d.refclassid = 'pg_extension'::regclass
 WHERE p.proname LIKE 'currency:%' ORDER BY 1;
DROP EXTENSION ledger CASCADE;
SELECT count(*) AS left_behind FROM pg_proc WHERE proname LIKE 'currency:%';
-- The ledger's functions find their tables by the schema's name: a schema owned by a role that is
-- no superuser is refused, since that role could swap the tables under them.
ALTER SCHEMA ledger OWNER TO regress_ledger_user;
SELECT error_of('CREATE EXTENSION ledger') AS schema_of_another_role;
ALTER SCHEMA ledger OWNER TO CURRENT_USER;
-- So is one where such a role may create objects: it could plant an operator that the install
-- script would resolve.
GRANT CREATE ON SCHEMA ledger TO regress_ledger_user;
SELECT error_of('CREATE EXTENSION ledger') AS schema_open_to_create;
REVOKE CREATE ON SCHEMA ledger FROM regress_ledger_user;
-- A 1.0 install left its definitions behind; a new install removes them.
CREATE SCHEMA IF NOT EXISTS ledger;
CREATE FUNCTION ledger."currency:OLD"() RETURNS integer LANGUAGE sql IMMUTABLE RETURN 2;
CREATE EXTENSION ledger;
SELECT count(*) AS left_behind FROM pg_proc WHERE proname LIKE 'currency:%';
SELECT error_of($$SELECT '1 ETH'::ledger.monetary$$) AS not_resurrected;
SELECT create_currency('ETH', 6) AS registered_again;
SELECT '1.000001 ETH'::ledger.monetary AS six_decimals;

\c :regress_database
DROP DATABASE ledger_registry;
DROP ROLE regress_ledger_user;
