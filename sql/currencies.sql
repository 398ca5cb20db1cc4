-- Built-in and user-registered currencies.
SET search_path = public, ledger;

SELECT count(*) AS builtin, count(*) FILTER (WHERE is_fund) AS funds FROM currencies WHERE builtin;
SELECT code, minor_units, numeric_code, name FROM currencies
WHERE code IN ('USD', 'JPY', 'KWD', 'CLF', 'EUR', 'BHD', 'UYW') ORDER BY code;
SELECT minor_units, count(*) FROM iso_currencies() GROUP BY 1 ORDER BY 1;

-- Registering: any case, stored upper case, usable at once.
SELECT create_currency('eth', 18, 'Ether') AS eth, create_currency('POINTS', 0) AS points;
SELECT '1.000000000000000001 ETH'::monetary AS wei, 'points 250'::monetary AS points;
SELECT code, minor_units, numeric_code, name, builtin FROM currencies WHERE NOT builtin ORDER BY code;
-- Each is also recorded as a function, which pg_dump restores before any table data.
SELECT p.oid::regprocedure AS definition
FROM pg_proc p WHERE p.pronamespace = 'ledger'::regnamespace AND p.proname LIKE 'currency:%'
ORDER BY 1;
SELECT ledger."currency:ETH"() AS eth, ledger."currency:POINTS"() AS points;
SELECT error_of($$SELECT '0.0000000000000000001 ETH'::ledger.monetary$$);

-- Refused: duplicates (built-in or registered), bad codes, bad minor units.
SELECT error_of($$SELECT ledger.create_currency('ETH', 6)$$);
SELECT error_of($$SELECT ledger.create_currency('usd', 2)$$);
SELECT error_of($$SELECT ledger.create_currency('E', 2)$$);
SELECT error_of($$SELECT ledger.create_currency('TOOLONGX', 2)$$);
SELECT error_of($$SELECT ledger.create_currency('1AB', 2)$$);
SELECT error_of($$SELECT ledger.create_currency('AB-C', 2)$$);
SELECT error_of($$SELECT ledger.create_currency('ABC', 19)$$);
SELECT error_of($$SELECT ledger.create_currency('ABC', -1)$$);
SELECT error_of($$SELECT ledger.create_currency(NULL, 2)$$);
SELECT error_of($$SELECT ledger.create_currency('ABC', NULL)$$);

-- A registered currency never changes and never goes away; renaming is allowed.
SELECT error_of($$UPDATE ledger.custom_currencies SET minor_units = 6 WHERE code = 'ETH'$$);
SELECT error_of($$UPDATE ledger.custom_currencies SET code = 'ETC' WHERE code = 'ETH'$$);
SELECT error_of($$DELETE FROM ledger.custom_currencies WHERE code = 'ETH'$$);
SELECT error_of($$TRUNCATE ledger.custom_currencies$$);
UPDATE custom_currencies SET name = 'Ethereum' WHERE code = 'ETH';
SELECT code, name FROM custom_currencies ORDER BY code;

-- A currency registered in a transaction that rolls back is gone, even in a session that
-- used it.
BEGIN;
SELECT create_currency('TMP', 2);
SELECT '1.25 TMP'::monetary AS inside;
ROLLBACK;
SELECT error_of($$SELECT '1.25 TMP'::ledger.monetary$$);
SELECT create_currency('TMP', 4);
SELECT '1.2345 TMP'::monetary AS recreated;

-- Registering is not for PUBLIC.
CREATE ROLE ledger_regress_nobody;
SET ROLE ledger_regress_nobody;
SELECT error_of($$SELECT ledger.create_currency('NOPE', 2)$$);
SELECT '2 ETH'::ledger.monetary AS readable;
RESET ROLE;
DROP ROLE ledger_regress_nobody;
