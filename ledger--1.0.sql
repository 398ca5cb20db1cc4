-- ledger 1.0: the monetary type, its currencies, operators, operator classes and aggregates.
\echo Use "CREATE EXTENSION ledger" to load this file. \quit

-- Everyone may use the type; what moves money or registers currencies is granted separately.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

-------------------------------------------------------------------------------
-- Currencies
-------------------------------------------------------------------------------

-- User-registered currencies. Built-in ISO 4217 currencies live in the extension's code.
CREATE TABLE @extschema@.custom_currencies (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9]{2,6}$'),
    minor_units smallint NOT NULL CHECK (minor_units BETWEEN 0 AND 18),
    name        text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.custom_currencies', '');
REVOKE ALL ON @extschema@.custom_currencies FROM PUBLIC;
GRANT SELECT ON @extschema@.custom_currencies TO PUBLIC;

-- A stored amount means what its currency's minor units say; they can never change.
CREATE FUNCTION @extschema@.custom_currencies_immutable_trigger() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.code = OLD.code AND NEW.minor_units = OLD.minor_units THEN
        RETURN NEW;  -- renaming is harmless
    END IF;
    RAISE EXCEPTION 'registered currencies cannot be changed or removed (% refused)', TG_OP
        USING ERRCODE = 'LG005',
              HINT = 'Stored amounts depend on a currency''s code and minor units.';
END
$$;
CREATE TRIGGER custom_currencies_immutable
    BEFORE UPDATE OR DELETE ON @extschema@.custom_currencies
    FOR EACH ROW EXECUTE FUNCTION @extschema@.custom_currencies_immutable_trigger();
CREATE TRIGGER custom_currencies_no_truncate
    BEFORE TRUNCATE ON @extschema@.custom_currencies
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.custom_currencies_immutable_trigger();

CREATE FUNCTION @extschema@.iso_currencies(
    OUT code text, OUT numeric_code int, OUT minor_units smallint, OUT name text,
    OUT is_fund boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ledger_iso_currencies' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 170;

CREATE VIEW @extschema@.currencies AS
    SELECT code, minor_units, numeric_code, name, is_fund, true AS builtin
      FROM @extschema@.iso_currencies()
    UNION ALL
    SELECT code, minor_units, NULL::int, name, false, false
      FROM @extschema@.custom_currencies;
GRANT SELECT ON @extschema@.currencies TO PUBLIC;

CREATE FUNCTION @extschema@.create_currency(code text, minor_units int, name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'ledger_create_currency' LANGUAGE C VOLATILE PARALLEL UNSAFE
CALLED ON NULL INPUT SECURITY DEFINER SET search_path = pg_catalog;
REVOKE ALL ON FUNCTION @extschema@.create_currency(text, int, text) FROM PUBLIC;

-------------------------------------------------------------------------------
-- The type
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.monetary;

CREATE FUNCTION @extschema@.monetary_in(cstring) RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_out(@extschema@.monetary) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_recv(internal) RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_send(@extschema@.monetary) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.monetary (
    INPUT = @extschema@.monetary_in,
    OUTPUT = @extschema@.monetary_out,
    RECEIVE = @extschema@.monetary_recv,
    SEND = @extschema@.monetary_send,
    INTERNALLENGTH = 24,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.monetary IS 'exact amount of one currency, in its minor units';

-- Explicit casts only: text in and out never happens behind the user's back.
CREATE CAST (@extschema@.monetary AS text) WITH INOUT;
CREATE CAST (text AS @extschema@.monetary) WITH INOUT;

-------------------------------------------------------------------------------
-- Constructors and accessors
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.monetary(amount numeric, currency text) RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME', 'monetary_from_numeric' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.amount(@extschema@.monetary) RETURNS numeric
AS 'MODULE_PATHNAME', 'monetary_amount' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.currency(@extschema@.monetary) RETURNS text
AS 'MODULE_PATHNAME', 'monetary_currency' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-------------------------------------------------------------------------------
-- Arithmetic
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.monetary_add(@extschema@.monetary, @extschema@.monetary)
RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_subtract(@extschema@.monetary, @extschema@.monetary)
RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_negate(@extschema@.monetary) RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.abs(@extschema@.monetary) RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME', 'monetary_abs' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_multiply(@extschema@.monetary, bigint)
RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_multiply_reversed(bigint, @extschema@.monetary)
RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_ratio(@extschema@.monetary, @extschema@.monetary)
RETURNS numeric
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.+ (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_add, COMMUTATOR = +
);
CREATE OPERATOR @extschema@.- (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_subtract
);
CREATE OPERATOR @extschema@.- (
    RIGHTARG = @extschema@.monetary, FUNCTION = @extschema@.monetary_negate
);
CREATE OPERATOR @extschema@.* (
    LEFTARG = @extschema@.monetary, RIGHTARG = bigint,
    FUNCTION = @extschema@.monetary_multiply, COMMUTATOR = *
);
CREATE OPERATOR @extschema@.* (
    LEFTARG = bigint, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_multiply_reversed, COMMUTATOR = *
);
CREATE OPERATOR @extschema@./ (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_ratio
);

-------------------------------------------------------------------------------
-- Explicit rounding: scaling, conversion, allocation
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.rounding_mode AS ENUM
    ('half_even', 'half_up', 'half_down', 'up', 'down', 'ceiling', 'floor');

CREATE FUNCTION @extschema@.scale(@extschema@.monetary, factor numeric,
                                  mode @extschema@.rounding_mode)
RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME', 'monetary_scale' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.convert(@extschema@.monetary, rate numeric, currency text,
                                    mode @extschema@.rounding_mode)
RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME', 'monetary_convert' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.allocate(@extschema@.monetary, parts int)
RETURNS @extschema@.monetary[]
AS 'MODULE_PATHNAME', 'monetary_allocate_evenly' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.allocate(@extschema@.monetary, ratios int[])
RETURNS @extschema@.monetary[]
AS 'MODULE_PATHNAME', 'monetary_allocate_by_ratios' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-------------------------------------------------------------------------------
-- Comparison
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.monetary_eq(@extschema@.monetary, @extschema@.monetary) RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.monetary_ne(@extschema@.monetary, @extschema@.monetary) RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.monetary_lt(@extschema@.monetary, @extschema@.monetary) RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_le(@extschema@.monetary, @extschema@.monetary) RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_gt(@extschema@.monetary, @extschema@.monetary) RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_ge(@extschema@.monetary, @extschema@.monetary) RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_cmp(@extschema@.monetary, @extschema@.monetary) RETURNS int
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_hash(@extschema@.monetary) RETURNS int
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_hash_extended(@extschema@.monetary, bigint) RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_eq, COMMUTATOR = =, NEGATOR = <>,
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_ne, COMMUTATOR = <>, NEGATOR = =,
    RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_lt, COMMUTATOR = >, NEGATOR = >=,
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_le, COMMUTATOR = >=, NEGATOR = >,
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_gt, COMMUTATOR = <, NEGATOR = <=,
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_ge, COMMUTATOR = <=, NEGATOR = <,
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);

-- The btree class orders within one currency and raises across currencies, as < does; a
-- mixed-currency column is sorted or indexed by (ledger.currency(x), x).
CREATE OPERATOR CLASS @extschema@.monetary_ops
DEFAULT FOR TYPE @extschema@.monetary USING btree AS
    OPERATOR 1 @extschema@.<,
    OPERATOR 2 @extschema@.<=,
    OPERATOR 3 @extschema@.=,
    OPERATOR 4 @extschema@.>=,
    OPERATOR 5 @extschema@.>,
    FUNCTION 1 @extschema@.monetary_cmp(@extschema@.monetary, @extschema@.monetary),
    FUNCTION 4 pg_catalog.btequalimage(oid);

CREATE OPERATOR CLASS @extschema@.monetary_hash_ops
DEFAULT FOR TYPE @extschema@.monetary USING hash AS
    OPERATOR 1 @extschema@.=,
    FUNCTION 1 @extschema@.monetary_hash(@extschema@.monetary),
    FUNCTION 2 @extschema@.monetary_hash_extended(@extschema@.monetary, bigint);

-------------------------------------------------------------------------------
-- Aggregates: each state is a monetary of the one currency seen so far
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.monetary_smaller(@extschema@.monetary, @extschema@.monetary)
RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.monetary_larger(@extschema@.monetary, @extschema@.monetary)
RETURNS @extschema@.monetary
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.sum(@extschema@.monetary) (
    SFUNC = @extschema@.monetary_add,
    STYPE = @extschema@.monetary,
    COMBINEFUNC = @extschema@.monetary_add,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.min(@extschema@.monetary) (
    SFUNC = @extschema@.monetary_smaller,
    STYPE = @extschema@.monetary,
    COMBINEFUNC = @extschema@.monetary_smaller,
    SORTOP = OPERATOR(@extschema@.<),
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.max(@extschema@.monetary) (
    SFUNC = @extschema@.monetary_larger,
    STYPE = @extschema@.monetary,
    COMBINEFUNC = @extschema@.monetary_larger,
    SORTOP = OPERATOR(@extschema@.>),
    PARALLEL = SAFE
);
