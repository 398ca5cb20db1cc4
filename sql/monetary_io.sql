-- Text and binary input and output of ledger.monetary.
CREATE EXTENSION ledger;
SET search_path = public, ledger;

-- Every error in these tests is shown as "SQLSTATE: message" by this helper.
CREATE FUNCTION public.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- Both orders, any case, optional sign, surrounding space; output is canonical.
SELECT input, input::monetary AS value
FROM (VALUES ('12.50 USD'), ('USD 12.50'), ('12.5 usd'), ('usd 12.5'), ('  +7 EUR  '),
             ('-0.01 eur'), ('EUR -3'), ('-0 USD'), ('1000 JPY'), ('1000.000 JPY'), ('1.5 KWD'),
             ('0.0001 CLF'), ('12.500000 USD'), ('007.10 GBP'), ('1	CHF')) AS t(input);

-- The whole 127-bit range, and one minor unit past either end.
SELECT '170141183460469231731687303715884105727 JPY'::monetary AS max_jpy,
       '-170141183460469231731687303715884105727 JPY'::monetary AS min_jpy,
       '1701411834604692317316873037158841057.27 USD'::monetary AS max_usd;
SELECT input, error_of(format('SELECT %L::ledger.monetary', input))
FROM (VALUES ('170141183460469231731687303715884105728 JPY'),
             ('-170141183460469231731687303715884105728 JPY'),
             ('1701411834604692317316873037158841057.28 USD'),
             ('99999999999999999999999999999999999999999 USD'),
             -- once wrapped around 2^128 to 4 JPY: each digit is checked before it is added
             ('340282366920938463463374607431768211460 JPY')) AS t(input);

-- Everything that could lose or invent money is refused, with 22P02.
SELECT input, error_of(format('SELECT %L::ledger.monetary', input))
FROM (VALUES ('NaN USD'), ('USD nan'), ('Infinity USD'), ('-inf EUR'), ('1e3 USD'),
             ('1E3 USD'), (''), ('   '), ('USD'), ('12.50'), ('12.50 XYZ'), ('12.50 US'),
             ('12.505 USD'), ('1.5 JPY'), ('1.0001 KWD'), ('1,000.00 USD'), ('12,50 EUR'),
             ('.5 USD'), ('5. USD'), ('--5 USD'), ('+-5 USD'), ('5 USD EUR'), ('5 5 USD'),
             ('USD 5 USD'), ('$5'), ('5USD'), ('0x10 USD'), ('12.50 U$D'), ('12.50 XAU'),
             ('١٢ USD'), (repeat('1', 200) || ' USD')) AS t(input);

-- Explicit casts to and from text exist; no implicit or assignment cast does.
SELECT '3.00 USD'::text::monetary::text AS round_trip;
SELECT castcontext, castmethod, castsource::regtype, casttarget::regtype
FROM pg_cast WHERE castsource = 'ledger.monetary'::regtype OR casttarget = 'ledger.monetary'::regtype
ORDER BY 3, 4;
CREATE TABLE amounts (id int, value monetary);
SELECT error_of($$INSERT INTO amounts VALUES (1, 12.50::numeric)$$);
SELECT error_of($$INSERT INTO amounts VALUES (1, 'x'::text)$$);

-- Binary send: 16-byte big-endian amount, one byte of minor units, the code.
SELECT monetary_send('12.50 USD') AS usd, monetary_send('-1 JPY') AS jpy;

-- Binary round trip through COPY ... (FORMAT binary).
INSERT INTO amounts VALUES (1, '12.50 USD'), (2, '-170141183460469231731687303715884105727 JPY'),
                           (3, '0.001 KWD'), (4, NULL);
CREATE FUNCTION public.binary_path() RETURNS text LANGUAGE sql
    RETURN current_setting('data_directory') || '/ledger_regress.copy';
DO $$ BEGIN EXECUTE format('COPY amounts TO %L (FORMAT binary)', binary_path()); END $$;
CREATE TABLE amounts_copy (LIKE amounts);
DO $$ BEGIN EXECUTE format('COPY amounts_copy FROM %L (FORMAT binary)', binary_path()); END $$;
SELECT a.id, a.value, a.value IS NOT DISTINCT FROM c.value AS same
FROM amounts a JOIN amounts_copy c USING (id) ORDER BY id;

-- Binary input is checked as strictly as text. Each case writes raw bytes as a one-column
-- binary COPY file (bytea's binary form is its bytes) and reads them back as monetary.
CREATE TABLE raw_bytes (b bytea);
CREATE TABLE parsed (m ledger.monetary);
CREATE FUNCTION public.recv_error(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE raw_bytes, parsed;
    INSERT INTO raw_bytes VALUES (payload);
    EXECUTE format('COPY raw_bytes TO %L (FORMAT binary)', binary_path());
    RETURN error_of(format('COPY parsed FROM %L (FORMAT binary)', binary_path()));
END
$$;
SELECT label, recv_error(payload)
FROM (VALUES
    ('valid 12.50 USD', '\x000000000000000000000000000004e202555344'::bytea),
    ('lower-case code', '\x000000000000000000000000000004e202757364'),
    ('unknown code', '\x000000000000000000000000000004e20258595a'),
    ('wrong minor units', '\x000000000000000000000000000004e203555344'),
    ('-2^127', '\x8000000000000000000000000000000002555344'),
    ('too short', '\x0000000000000004e2'),
    ('code too long', '\x000000000000000000000000000004e2024142434445464748'),
    ('NUL in code', '\x000000000000000000000000000004e20255005344'),
    ('non-UTF-8 code bytes', '\x000000000000000000000000000004e202fffec3')) AS t(label, payload);
SELECT recv_error('\x000000000000000000000000000004e202555344') AS valid;
SELECT m FROM parsed;
