-- Hostile input to the type and the ledger's functions: every case is refused with its
-- documented SQLSTATE, nothing is written, and the ledger stays consistent.
SET search_path = public, ledger;

-- Accounts of this test only; their ids go into psql variables.
SELECT create_account('hostile a', 'USD') AS ha,
       create_account('hostile b', 'USD', max_balance => '1000.00 USD') AS hb,
       create_account('hostile eur', 'EUR') AS heur \gset
SELECT id AS husd_external FROM accounts WHERE is_external AND currency = 'USD' \gset
SELECT deposit(:ha, '100.00 USD') > 0 AS funded_a, deposit(:hb, '50.00 USD') > 0 AS funded_b,
       deposit(:heur, '20.00 EUR') > 0 AS funded_eur,
       transfer(:ha, :hb, '1.00 USD', 'hostile-key', '{"k": 1}') > 0 AS keyed;
SELECT name, balance, version FROM account_balances WHERE name LIKE 'hostile%' ORDER BY id;

-- What exists before the hostile section.
CREATE TABLE hostile_snapshot AS
    SELECT (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM entries) AS entries,
           (SELECT count(*) FROM custom_currencies) AS currencies,
           (SELECT string_agg(account_id || '/' || slot || ':' || balance::text || ':' || version, ','
                              ORDER BY account_id, slot)
              FROM balances) AS balances;

-- One row per hostile case. In the statements %1$s is account 'hostile a', %2$s 'hostile b',
-- %3$s 'hostile eur' and %4$s the external USD account.
CREATE TABLE hostile_cases (n serial, label text, statement text);
INSERT INTO hostile_cases (label, statement) VALUES
    -- text input: huge, tiny, overlong
    ('100000 nines', $$SELECT (repeat('9', 100000) || ' USD')::ledger.monetary$$),
    ('40-digit amount', $$SELECT ('1' || repeat('0', 39) || ' JPY')::ledger.monetary$$),
    ('2^127 minor units', $$SELECT '170141183460469231731687303715884105728 JPY'::ledger.monetary$$),
    ('tiny: 1e-101 USD', $$SELECT ('0.' || repeat('0', 100) || '1 USD')::ledger.monetary$$),
    ('tiny: -0.001 USD', $$SELECT '-0.001 USD'::ledger.monetary$$),
    ('exponent 1e-300', $$SELECT '1e-300 USD'::ledger.monetary$$),
    ('100000 spaces before', $$SELECT (repeat(' ', 100000) || '1 USD')::ledger.monetary$$),
    ('10000-char code', $$SELECT ('1 ' || repeat('U', 10000))::ledger.monetary$$),
    ('64 two-byte chars', $$SELECT ('1 ' || repeat('é', 64))::ledger.monetary$$),
    -- text input: multibyte and control characters
    ('no-break space', $$SELECT E'12\u00A0USD'::ledger.monetary$$),
    ('fullwidth digits', $$SELECT '１２ USD'::ledger.monetary$$),
    ('fullwidth code', $$SELECT '12 ＵＳＤ'::ledger.monetary$$),
    ('combining acute in code', $$SELECT E'12 U\u0301SD'::ledger.monetary$$),
    ('combining acute after code', $$SELECT E'12 USD\u0301'::ledger.monetary$$),
    ('right-to-left mark', $$SELECT E'\u200F12 USD'::ledger.monetary$$),
    ('left-to-right mark after', $$SELECT E'12 USD\u200E'::ledger.monetary$$),
    ('zero-width space in digits', $$SELECT E'1\u200B2 USD'::ledger.monetary$$),
    ('Kelvin sign in KWD', $$SELECT E'1 \u212AWD'::ledger.monetary$$),
    ('chr(1) after code', $$SELECT ('12 USD' || chr(1))::ledger.monetary$$),
    ('chr(1) before amount', $$SELECT (chr(1) || '12 USD')::ledger.monetary$$),
    ('\x01 inside amount', $$SELECT E'1\x012 USD'::ledger.monetary$$),
    ('DEL inside code', $$SELECT ('12 US' || chr(127) || 'D')::ledger.monetary$$),
    ('vertical tab in code', $$SELECT ('12 U' || chr(11) || 'SD')::ledger.monetary$$),
    ('newline inside amount', $$SELECT E'1\n2 USD'::ledger.monetary$$),
    -- monetary(numeric, text)
    ('monetary 1e-1000', $$SELECT ledger.monetary(1e-1000, 'USD')$$),
    ('monetary 1e1000', $$SELECT ledger.monetary(1e1000, 'USD')$$),
    ('monetary largest numeric', $$SELECT ledger.monetary(('9' || repeat('0', 131071))::numeric, 'JPY')$$),
    ('monetary smallest numeric', $$SELECT ledger.monetary(('0.' || repeat('0', 16382) || '1')::numeric, 'JPY')$$),
    ('monetary -1e40 JPY', $$SELECT ledger.monetary(-1e40, 'JPY')$$),
    ('monetary NaN', $$SELECT ledger.monetary('NaN', 'USD')$$),
    ('monetary -Infinity', $$SELECT ledger.monetary('-Infinity', 'USD')$$),
    ('monetary 10000-char code', $$SELECT ledger.monetary(1, repeat('U', 10000))$$),
    ('monetary empty code', $$SELECT ledger.monetary(1, '')$$),
    ('monetary code with RLM', $$SELECT ledger.monetary(1, E'USD\u200F')$$),
    ('monetary fullwidth code', $$SELECT ledger.monetary(1, 'ＵＳＤ')$$),
    ('monetary code with chr(1)', $$SELECT ledger.monetary(1, 'USD' || chr(1))$$),
    -- operators
    ('USD + EUR', $$SELECT '1 USD'::ledger.monetary OPERATOR(pg_catalog.+) '1 EUR'::ledger.monetary$$),
    ('max + 1', $$SELECT '170141183460469231731687303715884105727 JPY'::ledger.monetary OPERATOR(pg_catalog.+) '1 JPY'::ledger.monetary$$),
    ('max USD times 2', $$SELECT '1701411834604692317316873037158841057.27 USD'::ledger.monetary OPERATOR(pg_catalog.*) 2$$),
    ('bigint min times large USD', $$SELECT -9223372036854775808 OPERATOR(pg_catalog.*) '170141183460469231731687303715884105.72 USD'::ledger.monetary$$),
    ('divide by zero', $$SELECT '1 USD'::ledger.monetary OPERATOR(pg_catalog./) '0 USD'::ledger.monetary$$),
    -- scale, convert, allocate
    ('scale by 1e1000', $$SELECT ledger.scale('1 USD', 1e1000, 'half_even')$$),
    ('scale by NaN', $$SELECT ledger.scale('1 USD', 'NaN', 'half_even')$$),
    ('scale by -Infinity', $$SELECT ledger.scale('1 USD', '-Infinity', 'half_even')$$),
    ('scale unknown mode', $$SELECT ledger.scale('1 USD', 2, 'bankers')$$),
    ('convert rate 0', $$SELECT ledger.convert('1 USD', 0, 'EUR', 'floor')$$),
    ('convert rate -1', $$SELECT ledger.convert('1 USD', -1, 'EUR', 'floor')$$),
    ('convert rate NaN', $$SELECT ledger.convert('1 USD', 'NaN', 'EUR', 'floor')$$),
    ('convert rate 1e1000', $$SELECT ledger.convert('1 USD', 1e1000, 'EUR', 'floor')$$),
    ('convert 10000-char code', $$SELECT ledger.convert('1 USD', 1, repeat('E', 10000), 'floor')$$),
    ('convert code with NBSP', $$SELECT ledger.convert('1 USD', 1, E'EUR\u00A0', 'floor')$$),
    ('allocate 0 parts', $$SELECT ledger.allocate('1 USD', 0)$$),
    ('allocate -1 parts', $$SELECT ledger.allocate('1 USD', -1)$$),
    ('allocate 100001 parts', $$SELECT ledger.allocate('1 USD', 100001)$$),
    ('allocate int max parts', $$SELECT ledger.allocate('1 USD', 2147483647)$$),
    ('allocate empty ratios', $$SELECT ledger.allocate('1 USD', ARRAY[]::int[])$$),
    ('allocate NULL ratio', $$SELECT ledger.allocate('1 USD', ARRAY[1, NULL])$$),
    ('allocate negative ratio', $$SELECT ledger.allocate('1 USD', ARRAY[-1, 2])$$),
    ('allocate all-zero ratios', $$SELECT ledger.allocate('1 USD', ARRAY[0, 0])$$),
    ('allocate 1000000 ratios', $$SELECT ledger.allocate('1 USD', array_fill(1, ARRAY[1000000]))$$),
    -- create_currency
    ('currency NULL code', $$SELECT ledger.create_currency(NULL, 2)$$),
    ('currency NULL minor units', $$SELECT ledger.create_currency('HOSTA', NULL)$$),
    ('currency NULL name, ISO code', $$SELECT ledger.create_currency('usd', 2, NULL)$$),
    ('currency 10000-char code', $$SELECT ledger.create_currency(repeat('A', 10000), 2)$$),
    ('currency fullwidth code', $$SELECT ledger.create_currency('ＡＢＣ', 2)$$),
    ('currency combining char', $$SELECT ledger.create_currency(E'AB\u0301C', 2)$$),
    ('currency chr(1)', $$SELECT ledger.create_currency('ABC' || chr(1), 2)$$),
    ('currency RLM', $$SELECT ledger.create_currency(E'\u200FABC', 2)$$),
    ('currency minor units -1', $$SELECT ledger.create_currency('HOSTA', -1)$$),
    ('currency INF (reads as a number)', $$SELECT ledger.create_currency('INF', 2)$$),
    ('currency nan (reads as a number)', $$SELECT ledger.create_currency('nan', 2)$$),
    ('currency minor units int max', $$SELECT ledger.create_currency('HOSTA', 2147483647)$$),
    -- create_account
    ('account NULL name', $$SELECT ledger.create_account(NULL, 'USD')$$),
    ('account NULL currency', $$SELECT ledger.create_account('hostile c', NULL)$$),
    ('account NULL limits, name taken', $$SELECT ledger.create_account('hostile a', 'USD', NULL, NULL, NULL)$$),
    ('account 10000-char currency', $$SELECT ledger.create_account('hostile c', repeat('U', 10000))$$),
    ('account currency with NBSP', $$SELECT ledger.create_account('hostile c', E'USD\u00A0')$$),
    ('account 1 MB name', $$SELECT ledger.create_account(repeat('x', 1000000), 'USD')$$),
    ('account external: name', $$SELECT ledger.create_account('external:' || repeat('é', 1000), 'USD')$$),
    ('account limit in EUR', $$SELECT ledger.create_account('hostile c', 'USD', '-1 EUR')$$),
    ('account min above max', $$SELECT ledger.create_account('hostile c', 'USD', '10 USD', '-10 USD')$$),
    ('account 1 MB metadata, name taken', $$SELECT ledger.create_account('hostile a', 'USD', metadata => jsonb_build_object('x', repeat('m', 1000000)))$$),
    -- transfer, withdraw, deposit: NULLs
    ('transfer NULL from', $$SELECT ledger.transfer(NULL, %2$s, '1.00 USD')$$),
    ('transfer NULL to', $$SELECT ledger.transfer(%1$s, NULL, '1.00 USD')$$),
    ('transfer NULL amount', $$SELECT ledger.transfer(%1$s, %2$s, NULL)$$),
    ('transfer NULL key/metadata/version', $$SELECT ledger.transfer(%1$s, %2$s, '1000.00 USD', NULL, NULL, NULL)$$),
    ('withdraw NULL account', $$SELECT ledger.withdraw(NULL, '1.00 USD')$$),
    ('withdraw NULL amount', $$SELECT ledger.withdraw(%1$s, NULL)$$),
    ('withdraw NULL key/metadata/version', $$SELECT ledger.withdraw(%1$s, '1000.00 USD', NULL, NULL, NULL)$$),
    ('deposit NULL account', $$SELECT ledger.deposit(NULL, '1.00 USD')$$),
    ('deposit NULL amount', $$SELECT ledger.deposit(%1$s, NULL)$$),
    ('deposit NULL key/metadata/version', $$SELECT ledger.deposit(%1$s, '0.00 USD', NULL, NULL, NULL)$$),
    ('all NULL transfer', $$SELECT ledger.transfer(NULL, NULL, NULL, NULL, NULL, NULL)$$),
    -- negative and zero amounts
    ('transfer -0.01', $$SELECT ledger.transfer(%1$s, %2$s, '-0.01 USD')$$),
    ('transfer -0', $$SELECT ledger.transfer(%1$s, %2$s, '-0 USD')$$),
    ('transfer most negative', $$SELECT ledger.transfer(%1$s, %2$s, '-1701411834604692317316873037158841057.27 USD')$$),
    ('withdraw 0', $$SELECT ledger.withdraw(%1$s, '0 USD')$$),
    ('deposit -1', $$SELECT ledger.deposit(%1$s, '-1 USD')$$),
    -- huge amounts
    ('transfer max USD', $$SELECT ledger.transfer(%1$s, %2$s, '1701411834604692317316873037158841057.27 USD')$$),
    ('deposit max USD', $$SELECT ledger.deposit(%1$s, '1701411834604692317316873037158841057.27 USD')$$),
    ('deposit above max_balance', $$SELECT ledger.deposit(%2$s, '950.01 USD')$$),
    -- currency mismatches
    ('transfer EUR between USD', $$SELECT ledger.transfer(%1$s, %2$s, '1.00 EUR')$$),
    ('transfer USD to EUR account', $$SELECT ledger.transfer(%1$s, %3$s, '1.00 USD')$$),
    ('deposit JPY to USD account', $$SELECT ledger.deposit(%1$s, '1 JPY')$$),
    ('deposit XXX', $$SELECT ledger.deposit(%1$s, '1 XXX')$$),
    ('withdraw CLF nobody holds', $$SELECT ledger.withdraw(%1$s, '1 CLF')$$),
    -- unknown accounts
    ('transfer from 0', $$SELECT ledger.transfer(0, %2$s, '1.00 USD')$$),
    ('transfer to -1', $$SELECT ledger.transfer(%1$s, -1, '1.00 USD')$$),
    ('transfer to bigint max', $$SELECT ledger.transfer(%1$s, 9223372036854775807, '1.00 USD')$$),
    ('transfer -1 to bigint min', $$SELECT ledger.transfer(-1, -9223372036854775808, '1.00 USD')$$),
    ('withdraw from 0', $$SELECT ledger.withdraw(0, '1.00 USD')$$),
    ('deposit to -1', $$SELECT ledger.deposit(-1, '1.00 USD')$$),
    ('deposit to bigint max', $$SELECT ledger.deposit(9223372036854775807, '1.00 USD')$$),
    ('balance of 0', $$SELECT ledger.balance(0)$$),
    ('balance of bigint max', $$SELECT ledger.balance(9223372036854775807)$$),
    -- other refusals with hostile arguments
    ('transfer to itself', $$SELECT ledger.transfer(%1$s, %1$s, '1.00 USD')$$),
    ('transfer from external', $$SELECT ledger.transfer(%4$s, %1$s, '1.00 USD')$$),
    ('expected_version -1', $$SELECT ledger.transfer(%1$s, %2$s, '1.00 USD', expected_version => -1)$$),
    ('expected_version bigint max', $$SELECT ledger.withdraw(%1$s, '1.00 USD', expected_version => 9223372036854775807)$$),
    ('reused key, other amount', $$SELECT ledger.transfer(%1$s, %2$s, '2.00 USD', 'hostile-key', '{"k": 1}')$$),
    ('reused key, JSON null metadata', $$SELECT ledger.transfer(%1$s, %2$s, '1.00 USD', 'hostile-key', 'null')$$),
    ('1 MB key, no funds', $$SELECT ledger.transfer(%1$s, %2$s, '1000.00 USD', repeat('k', 1000000))$$),
    ('key with control chars, no funds', $$SELECT ledger.withdraw(%1$s, '1000.00 USD', chr(1) || E'\t\u200F')$$),
    ('1 MB metadata, no funds', $$SELECT ledger.transfer(%1$s, %2$s, '1000.00 USD', metadata => jsonb_build_object('x', repeat('m', 1000000)))$$),
    ('nested metadata, no funds', $$SELECT ledger.transfer(%1$s, %2$s, '1000.00 USD', metadata => (repeat('[', 5000) || repeat(']', 5000))::jsonb)$$),
    ('huge array metadata, no funds', $$SELECT ledger.deposit(%1$s, '0 USD', metadata => to_jsonb(array_fill(1, ARRAY[1000000])))$$),
    ('string metadata, mismatch', $$SELECT ledger.transfer(%1$s, %2$s, '1 EUR', metadata => '"a string"')$$),
    ('1 MB key, valid transfer', $$SELECT ledger.transfer(%1$s, %2$s, '0.01 USD', repeat('k', 1000000))$$),
    ('3200-char key, valid transfer', $$SELECT ledger.transfer(%1$s, %2$s, '0.01 USD', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 100) i))$$),
    ('3200-char name, valid account', $$SELECT ledger.create_account((SELECT string_agg(md5(i::text), '') FROM generate_series(1, 100) i), 'USD')$$);

-- Long messages are cut here to 150 characters for readability.
SELECT n, label, left(error_of(format(statement, :ha, :hb, :heur, :husd_external)), 150) AS result
FROM hostile_cases ORDER BY n;

-- Nothing was written.
SELECT s.* = n.* AS nothing_written
FROM hostile_snapshot s,
     (SELECT (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM entries) AS entries,
             (SELECT count(*) FROM custom_currencies) AS currencies,
             (SELECT string_agg(account_id || '/' || slot || ':' || balance::text || ':' || version, ','
                                ORDER BY account_id, slot)
                FROM balances) AS balances) n;
SELECT * FROM verify();

-- Accepted, by design: STRICT functions return NULL for a NULL argument, whitespace around and
-- between amount and code is allowed, and results inside the range are exact.
CREATE FUNCTION public.hostile_value(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE statement INTO result;
    RETURN coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
SELECT label, hostile_value(statement) AS value
FROM (VALUES
    ('monetary(NULL, code)', $$SELECT ledger.monetary(NULL, 'USD')$$),
    ('monetary(amount, NULL)', $$SELECT ledger.monetary(1, NULL)$$),
    ('scale(NULL, ...)', $$SELECT ledger.scale(NULL, 1, 'up')$$),
    ('scale(..., NULL factor, ...)', $$SELECT ledger.scale('1 USD', NULL, 'up')$$),
    ('scale(..., NULL mode)', $$SELECT ledger.scale('1 USD', 1, NULL)$$),
    ('convert(NULL, ...)', $$SELECT ledger.convert(NULL, 1, 'EUR', 'up')$$),
    ('convert(..., NULL rate, ...)', $$SELECT ledger.convert('1 USD', NULL, 'EUR', 'up')$$),
    ('convert(..., NULL code, ...)', $$SELECT ledger.convert('1 USD', 1, NULL, 'up')$$),
    ('convert(..., NULL mode)', $$SELECT ledger.convert('1 USD', 1, 'EUR', NULL)$$),
    ('allocate(NULL, parts)', $$SELECT ledger.allocate(NULL, 2)$$),
    ('allocate(..., NULL parts)', $$SELECT ledger.allocate('1 USD', NULL::int)$$),
    ('allocate(NULL, ratios)', $$SELECT ledger.allocate(NULL, ARRAY[1, 2])$$),
    ('allocate(..., NULL ratios)', $$SELECT ledger.allocate('1 USD', NULL::int[])$$),
    ('balance(NULL)', $$SELECT ledger.balance(NULL)$$),
    ('NULL::text::monetary', $$SELECT NULL::text::ledger.monetary$$),
    ('tabs around', $$SELECT E'\t12 USD\t'::ledger.monetary$$),
    ('newline between', $$SELECT E'12\nUSD'::ledger.monetary$$),
    ('0.02 USD times bigint max', $$SELECT '0.02 USD'::ledger.monetary OPERATOR(pg_catalog.*) 9223372036854775807$$),
    ('scale by 1e-500, up', $$SELECT ledger.scale('1 USD', 1e-500, 'up')$$),
    ('scale by 1e-500, half_even', $$SELECT ledger.scale('1 USD', 1e-500, 'half_even')$$),
    ('convert at 1e-500, up', $$SELECT ledger.convert('1 USD', 1e-500, 'EUR', 'up')$$),
    -- regression: factors of over 1000 digits were refused as if they were not finite
    ('scale by 1e-1000, up', $$SELECT ledger.scale('1 USD', 1e-1000, 'up')$$),
    ('convert at 1e-1000, up', $$SELECT ledger.convert('1 USD', 1e-1000, 'EUR', 'up')$$),
    ('scale by smallest numeric, up', $$SELECT ledger.scale('1 USD', ('0.' || repeat('0', 16382) || '1')::numeric, 'up')$$),
    ('allocate by int max ratios', $$SELECT ledger.allocate('1 USD', ARRAY[2147483647, 2147483647, 1])::text$$),
    ('allocate 100000 parts', $$SELECT cardinality(ledger.allocate('0.01 USD', 100000))$$)) AS t(label, statement);

-- Metadata is any jsonb, stored as given: an object, but also a string, a number, JSON null
-- (which is not SQL NULL), an array, deep nesting. These transfers are written.
SELECT transfer(:ha, :hb, '0.01 USD', metadata => m) > 0 AS written, jsonb_typeof(m) AS kind
FROM (VALUES ('"a string"'::jsonb), ('42'), ('null'), ('[1, 2]'),
             ((repeat('[', 5000) || repeat(']', 5000))::jsonb),
             (to_jsonb(array_fill(1, ARRAY[100000]))),
             (jsonb_build_object('x', repeat('m', 1000000)))) AS t(m);
SELECT jsonb_typeof(metadata) AS kind, octet_length(metadata::text) AS length
FROM transfers WHERE from_account = :ha AND to_account = :hb AND amount = '0.01 USD' ORDER BY id;
-- A key used with JSON null metadata is not replayed by SQL NULL metadata, nor the reverse.
SELECT transfer(:ha, :hb, '0.01 USD', 'hostile-null', 'null') > 0 AS written;
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''0.01 USD'', ''hostile-null'', NULL)', :ha, :hb));
SELECT name, balance, version FROM account_balances WHERE name LIKE 'hostile%' ORDER BY id;
SELECT * FROM verify();
