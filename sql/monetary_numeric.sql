-- Constructors, accessors, ratios, explicit rounding and allocation.
SET search_path = public, ledger;

-- From numeric: exact or an error; trailing zeros are fine.
SELECT monetary(12.5, 'usd') AS a, monetary(-0.001, 'KWD') AS b, monetary(1000.000, 'JPY') AS c,
       monetary(0, 'EUR') AS zero;
SELECT error_of($$SELECT ledger.monetary(12.505, 'USD')$$);
SELECT error_of($$SELECT ledger.monetary(0.5, 'JPY')$$);
SELECT error_of($$SELECT ledger.monetary('NaN', 'USD')$$);
SELECT error_of($$SELECT ledger.monetary('Infinity', 'USD')$$);
SELECT error_of($$SELECT ledger.monetary(1, 'XYZ')$$);
SELECT error_of($$SELECT ledger.monetary(1, 'U$D')$$);
SELECT error_of($$SELECT ledger.monetary(1e40, 'USD')$$);
SELECT monetary(NULL, 'USD') IS NULL AS null_amount, monetary(1, NULL) IS NULL AS null_currency;

-- Accessors.
SELECT amount('12.50 USD'), amount('-1000 JPY'), amount('0.001 KWD'), currency('1 eur'),
       pg_typeof(amount('1 USD'));
SELECT amount('-170141183460469231731687303715884105727 JPY');

-- A ratio of two amounts of one currency is a numeric.
SELECT '10 USD'::monetary / '4 USD' AS ratio, '1 USD'::monetary / '3.00 USD' AS third,
       '-5 EUR'::monetary / '2 EUR' AS negative;
SELECT error_of($$SELECT '1 USD'::ledger.monetary / '1 EUR'$$);
-- A zero divisor is caught by PostgreSQL's own numeric division: its error crosses the C++
-- boundary back unchanged.
SELECT error_of($$SELECT '1 USD'::ledger.monetary / '0 USD'$$);
SELECT '1 USD'::monetary / '0 USD';

-- Every rounding mode, on halves, non-halves and both signs.
SELECT mode, scale('0.25 USD', 0.1, mode) AS "0.025", scale('0.35 USD', 0.1, mode) AS "0.035",
       scale('-0.25 USD', 0.1, mode) AS "-0.025", scale('0.26 USD', 0.1, mode) AS "0.026",
       scale('-0.24 USD', 0.1, mode) AS "-0.024", scale('1.00 USD', 0.1, mode) AS "exact"
FROM unnest(enum_range(NULL::rounding_mode)) AS mode;
SELECT scale('100.00 USD', 0.012, 'half_even') AS leading_zero_factor,
       scale('100.00 USD', 0.0899, 'down') AS small_factor;
SELECT scale('100.00 USD', 1.0725, 'half_even') AS with_tax, scale('10 USD', -1, 'down') AS negated,
       scale('10 USD', 0, 'up') AS zero;
SELECT error_of($$SELECT ledger.scale('1 USD', 'NaN', 'half_even')$$);
SELECT error_of($$SELECT ledger.scale('1 USD', 1, 'bankers')$$);
SELECT error_of($$SELECT ledger.scale('170141183460469231731687303715884105727 JPY', 1.5, 'down')$$);

-- Conversion at an explicit rate into a currency with other minor units.
SELECT convert('100.00 USD', 0.92345, 'EUR', 'half_even') AS eur,
       convert('100.00 USD', 151.237, 'JPY', 'floor') AS jpy,
       convert('1000 JPY', 0.00213, 'KWD', 'half_up') AS kwd,
       convert('-1.00 USD', 0.5, 'CLF', 'ceiling') AS clf;
SELECT error_of($$SELECT ledger.convert('1 USD', 0, 'EUR', 'half_even')$$);
SELECT error_of($$SELECT ledger.convert('1 USD', -1.1, 'EUR', 'half_even')$$);
SELECT error_of($$SELECT ledger.convert('1 USD', 1, 'XYZ', 'half_even')$$);

-- Allocation: the parts always add up to the whole; remainders go to the first parts, or to the
-- largest remainders.
SELECT allocate('100.00 USD', 3) AS thirds, allocate('-100.00 USD', 3) AS negative_thirds,
       allocate('2 JPY', 5) AS sparse, allocate('0.05 USD', 1) AS one;
SELECT allocate('100.00 USD', ARRAY[1, 1, 1]) AS even, allocate('10.00 EUR', ARRAY[70, 20, 10]) AS split,
       allocate('0.05 USD', ARRAY[1, 0, 1, 1]) AS with_zero,
       allocate('-0.10 USD', ARRAY[1, 2, 3]) AS negative;
SELECT sum(part) = '1000.01 USD' AS sums_exactly
FROM unnest(allocate('1000.01 USD', ARRAY[3, 7, 11, 13])) AS part;
SELECT error_of($$SELECT ledger.allocate('1 USD', 0)$$);
SELECT error_of($$SELECT ledger.allocate('1 USD', 100001)$$);
SELECT error_of($$SELECT ledger.allocate('1 USD', ARRAY[0, 0])$$);
SELECT error_of($$SELECT ledger.allocate('1 USD', ARRAY[1, -1])$$);
SELECT error_of($$SELECT ledger.allocate('1 USD', ARRAY[1, NULL])$$);
SELECT error_of($$SELECT ledger.allocate('1 USD', ARRAY[]::int[])$$);
