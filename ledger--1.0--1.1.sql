-- ledger 1.0 -> 1.1. Objects keep their OIDs wherever they can, so that the user's views,
-- indexes, constraints and functions that name them survive the update. Operators in the DO
-- blocks are qualified: nothing in the schema is trusted before the first check has passed.
\echo Use "ALTER EXTENSION ledger UPDATE TO '1.1'" to load this file. \quit

-- The SECURITY DEFINER functions find their tables, and lookups the registered currencies, by
-- the schema's name, and this script resolves names in it: a role other than a superuser that
-- owns the schema, or may create objects in it, could plant or swap objects under them.
-- CREATE EXTENSION reuses an existing schema, so refuse both. (Operators here are qualified:
-- the check runs before anything else is trusted.)
DO $$
DECLARE
    intruder name;
BEGIN
    SELECT r.rolname INTO intruder
      FROM pg_catalog.pg_roles r
     WHERE NOT r.rolsuper
       AND (r.oid OPERATOR(pg_catalog.=) (SELECT n.nspowner FROM pg_catalog.pg_namespace n
                                           WHERE n.oid OPERATOR(pg_catalog.=)
                                                 '@extschema@'::pg_catalog.regnamespace::pg_catalog.oid)
            OR pg_catalog.has_schema_privilege(r.oid, '@extschema@'::pg_catalog.regnamespace::pg_catalog.oid,
                                               'CREATE'))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'schema @extschema@ is owned by, or open to CREATE for, %, who is not a superuser',
                        intruder
            USING ERRCODE = '42501',
                  HINT = 'The ledger''s functions run with its owner''s rights and find their '
                         'tables by this schema''s name. Give the schema to a superuser and revoke '
                         'CREATE on it from everyone else, or drop it, then try again.';
    END IF;
END
$$;

-------------------------------------------------------------------------------
-- Registered currencies: their functions now depend on the extension (dropped with it, dumped
-- on their own), and are read as data, never executed (see create_currency in the C code).
-------------------------------------------------------------------------------
DO $$
DECLARE
    definition regprocedure;
BEGIN
    FOR definition IN SELECT p.oid FROM pg_catalog.pg_proc p
                       WHERE p.pronamespace OPERATOR(pg_catalog.=)
                             '@extschema@'::pg_catalog.regnamespace::pg_catalog.oid
                         AND p.proname::pg_catalog.text OPERATOR(pg_catalog.~~) 'currency:%'
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s DEPENDS ON EXTENSION ledger', definition);
    END LOOP;
END
$$;

-------------------------------------------------------------------------------
-- Operators and aggregates move to pg_catalog, so that they resolve on every search_path.
-------------------------------------------------------------------------------
ALTER OPERATOR @extschema@.+ (@extschema@.monetary, @extschema@.monetary) SET SCHEMA pg_catalog;
ALTER OPERATOR @extschema@.- (@extschema@.monetary, @extschema@.monetary) SET SCHEMA pg_catalog;
ALTER OPERATOR @extschema@.- (NONE, @extschema@.monetary) SET SCHEMA pg_catalog;
ALTER OPERATOR @extschema@.* (@extschema@.monetary, bigint) SET SCHEMA pg_catalog;
ALTER OPERATOR @extschema@.* (bigint, @extschema@.monetary) SET SCHEMA pg_catalog;
ALTER OPERATOR @extschema@./ (@extschema@.monetary, @extschema@.monetary) SET SCHEMA pg_catalog;
ALTER OPERATOR @extschema@.= (@extschema@.monetary, @extschema@.monetary) SET SCHEMA pg_catalog;
ALTER OPERATOR @extschema@.<> (@extschema@.monetary, @extschema@.monetary) SET SCHEMA pg_catalog;
ALTER OPERATOR @extschema@.< (@extschema@.monetary, @extschema@.monetary) SET SCHEMA pg_catalog;
ALTER OPERATOR @extschema@.<= (@extschema@.monetary, @extschema@.monetary) SET SCHEMA pg_catalog;
ALTER OPERATOR @extschema@.> (@extschema@.monetary, @extschema@.monetary) SET SCHEMA pg_catalog;
ALTER OPERATOR @extschema@.>= (@extschema@.monetary, @extschema@.monetary) SET SCHEMA pg_catalog;
ALTER AGGREGATE @extschema@.sum(@extschema@.monetary) SET SCHEMA pg_catalog;
ALTER AGGREGATE @extschema@.min(@extschema@.monetary) SET SCHEMA pg_catalog;
ALTER AGGREGATE @extschema@.max(@extschema@.monetary) SET SCHEMA pg_catalog;

-------------------------------------------------------------------------------
-- The btree class orders totally (currency, minor units, amount) through its own operators;
-- < <= > >= keep raising, estimate with the total-order operators, and move to a new,
-- non-default comparison class.
-------------------------------------------------------------------------------
ALTER FUNCTION @extschema@.monetary_cmp(@extschema@.monetary, @extschema@.monetary) LEAKPROOF;
CREATE FUNCTION @extschema@.monetary_total_lt(@extschema@.monetary, @extschema@.monetary)
RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.monetary_total_le(@extschema@.monetary, @extschema@.monetary)
RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.monetary_total_gt(@extschema@.monetary, @extschema@.monetary)
RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.monetary_total_ge(@extschema@.monetary, @extschema@.monetary)
RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
-- Selectivity of < <= > >=: PostgreSQL's own estimate, computed with the total-order operator
-- of the same direction, so that planning never evaluates a raising comparison on statistics
-- that hold several currencies.
CREATE FUNCTION @extschema@.monetary_inequality_sel(internal, oid, internal, integer)
RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE OPERATOR pg_catalog.~<~ (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_total_lt,
    COMMUTATOR = OPERATOR(pg_catalog.~>~), NEGATOR = OPERATOR(pg_catalog.~>=~),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR pg_catalog.~<=~ (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_total_le,
    COMMUTATOR = OPERATOR(pg_catalog.~>=~), NEGATOR = OPERATOR(pg_catalog.~>~),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR pg_catalog.~>~ (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_total_gt,
    COMMUTATOR = OPERATOR(pg_catalog.~<~), NEGATOR = OPERATOR(pg_catalog.~<=~),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR pg_catalog.~>=~ (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_total_ge,
    COMMUTATOR = OPERATOR(pg_catalog.~<=~), NEGATOR = OPERATOR(pg_catalog.~<~),
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);

ALTER OPERATOR pg_catalog.< (@extschema@.monetary, @extschema@.monetary)
    SET (RESTRICT = @extschema@.monetary_inequality_sel);
ALTER OPERATOR pg_catalog.<= (@extschema@.monetary, @extschema@.monetary)
    SET (RESTRICT = @extschema@.monetary_inequality_sel);
ALTER OPERATOR pg_catalog.> (@extschema@.monetary, @extschema@.monetary)
    SET (RESTRICT = @extschema@.monetary_inequality_sel);
ALTER OPERATOR pg_catalog.>= (@extschema@.monetary, @extschema@.monetary)
    SET (RESTRICT = @extschema@.monetary_inequality_sel);

-- A row comparison stored by 1.0, such as (amount, id) < ('5 USD', 3) in a view, rule,
-- constraint, index, default, policy, trigger, partition key, statistics object or domain
-- default, names the class's < and the class itself, and would fail once < leaves it;
-- PostgreSQL stores it in forms no statement can rewrite. Name them, so that the DBA can drop
-- them, update, and create them again.
--
-- The class's strategies 1, 2, 4 and 5 are rewritten in place rather than by dropping and
-- creating the class, which would drop every index, exclusion constraint and partitioned table
-- of the user's built with it. They stay valid: monetary_cmp, their support function, kept its
-- order within one currency, and 1.0 could not put two currencies in one of them. No DDL changes
-- a class's member operator, hence the catalog updates (the update runs as a superuser).
DO $$
DECLARE
    family oid;
    member record;
    replacement oid;
    pattern text;
    dependents text;
BEGIN
    SELECT c.opcfamily INTO STRICT family
      FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) c.opcmethod
     WHERE c.opcname OPERATOR(pg_catalog.=) 'monetary_ops'::pg_catalog.name AND am.amname OPERATOR(pg_catalog.=) 'btree'::pg_catalog.name
       AND c.opcnamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace::pg_catalog.oid;
    pattern := '\{ROWCOMPAREEXPR [^{]*:opfamilies \(o[ 0-9]* ' OPERATOR(pg_catalog.||) family::pg_catalog.text
               OPERATOR(pg_catalog.||) '[ )]';
    SELECT pg_catalog.string_agg(DISTINCT pg_catalog.pg_describe_object(t.classid, t.objid, 0), ', ')
      INTO dependents
      FROM (SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, r.oid,
                   pg_catalog.concat(r.ev_action::pg_catalog.text, r.ev_qual::pg_catalog.text)
              FROM pg_catalog.pg_rewrite r
            UNION ALL
            SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, p.oid, p.prosqlbody::pg_catalog.text
              FROM pg_catalog.pg_proc p WHERE p.prosqlbody IS NOT NULL
            UNION ALL
            SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, k.oid, k.conbin::pg_catalog.text
              FROM pg_catalog.pg_constraint k WHERE k.conbin IS NOT NULL
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, i.indexrelid,
                   pg_catalog.concat(i.indexprs::pg_catalog.text, i.indpred::pg_catalog.text)
              FROM pg_catalog.pg_index i
            UNION ALL
            SELECT 'pg_catalog.pg_attrdef'::pg_catalog.regclass::pg_catalog.oid, d.oid, d.adbin::pg_catalog.text
              FROM pg_catalog.pg_attrdef d
            UNION ALL
            SELECT 'pg_catalog.pg_policy'::pg_catalog.regclass::pg_catalog.oid, y.oid,
                   pg_catalog.concat(y.polqual::pg_catalog.text, y.polwithcheck::pg_catalog.text)
              FROM pg_catalog.pg_policy y
            UNION ALL
            SELECT 'pg_catalog.pg_trigger'::pg_catalog.regclass::pg_catalog.oid, g.oid, g.tgqual::pg_catalog.text
              FROM pg_catalog.pg_trigger g WHERE g.tgqual IS NOT NULL
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, pt.partrelid,
                   pt.partexprs::pg_catalog.text
              FROM pg_catalog.pg_partitioned_table pt WHERE pt.partexprs IS NOT NULL
            UNION ALL
            SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass::pg_catalog.oid, x.oid,
                   x.stxexprs::pg_catalog.text
              FROM pg_catalog.pg_statistic_ext x WHERE x.stxexprs IS NOT NULL
            UNION ALL
            SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, y.oid,
                   y.typdefaultbin::pg_catalog.text
              FROM pg_catalog.pg_type y WHERE y.typdefaultbin IS NOT NULL) t(classid, objid, tree)
     WHERE t.tree OPERATOR(pg_catalog.~) pattern;
    IF dependents IS NOT NULL THEN
        RAISE EXCEPTION 'ledger 1.1 orders ledger.monetary''s btree class totally, which breaks the '
                        'row comparisons that these objects stored: %', dependents
            USING ERRCODE = '2BP01',
                  HINT = 'Drop them, run ALTER EXTENSION ledger UPDATE, then create them again.';
    END IF;
    FOR member IN SELECT a.oid, a.amopstrategy, a.amopopr FROM pg_catalog.pg_amop a
                   WHERE a.amopfamily OPERATOR(pg_catalog.=) family
                     AND a.amopstrategy OPERATOR(pg_catalog.=) ANY ('{1, 2, 4, 5}'::pg_catalog.int2[])
    LOOP
        replacement := CASE member.amopstrategy
            WHEN 1 THEN 'pg_catalog.~<~(@extschema@.monetary, @extschema@.monetary)'::pg_catalog.regoperator
            WHEN 2 THEN 'pg_catalog.~<=~(@extschema@.monetary, @extschema@.monetary)'::pg_catalog.regoperator
            WHEN 4 THEN 'pg_catalog.~>=~(@extschema@.monetary, @extschema@.monetary)'::pg_catalog.regoperator
            WHEN 5 THEN 'pg_catalog.~>~(@extschema@.monetary, @extschema@.monetary)'::pg_catalog.regoperator
        END;
        UPDATE pg_catalog.pg_amop SET amopopr = replacement WHERE oid OPERATOR(pg_catalog.=) member.oid;
        UPDATE pg_catalog.pg_depend SET refobjid = replacement
         WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_amop'::pg_catalog.regclass::pg_catalog.oid
           AND objid OPERATOR(pg_catalog.=) member.oid
           AND refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass::pg_catalog.oid
           AND refobjid OPERATOR(pg_catalog.=) member.amopopr;
    END LOOP;
    -- Tells every backend's type cache that the class changed.
    UPDATE pg_catalog.pg_opclass SET opcname = opcname
     WHERE opcfamily OPERATOR(pg_catalog.=) family AND opcname OPERATOR(pg_catalog.=) 'monetary_ops'::pg_catalog.name;
END
$$;

-- The comparison class: the raising < <= >= > over the same total order. An index built with it
-- serves < on a column of one currency (on two, its scan raises where it meets the other, as a
-- sequential scan would). Sorting with it never calls < (ORDER BY ... USING < sorts like ORDER
-- BY), so queries that 1.0 stored with < as a sort operator keep working through it. Its
-- equality is @extschema@.=, the same test as = but neither hashable nor mergeable, so that no
-- join on = ever plans with this class: the planner estimates merge joins by evaluating the
-- class's < on the column's statistics, which would raise.
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.monetary, RIGHTARG = @extschema@.monetary,
    FUNCTION = @extschema@.monetary_eq, COMMUTATOR = OPERATOR(@extschema@.=),
    RESTRICT = eqsel, JOIN = eqjoinsel
);
CREATE OPERATOR CLASS @extschema@.monetary_comparison_ops
FOR TYPE @extschema@.monetary USING btree AS
    OPERATOR 1 pg_catalog.<,
    OPERATOR 2 pg_catalog.<=,
    OPERATOR 3 @extschema@.=,
    OPERATOR 4 pg_catalog.>=,
    OPERATOR 5 pg_catalog.>,
    FUNCTION 1 @extschema@.monetary_cmp(@extschema@.monetary, @extschema@.monetary),
    FUNCTION 4 pg_catalog.btequalimage(oid);

-- min and max lose their sort operator: the planner would answer them from a btree index in the
-- total order, across currencies, where the aggregates raise LG001. Same reason for the catalog
-- update: dropping and creating them would break the user's views that use them.
DO $$
DECLARE
    aggregate regprocedure;
BEGIN
    FOREACH aggregate IN ARRAY ARRAY['pg_catalog.min(@extschema@.monetary)'::pg_catalog.regprocedure,
                                     'pg_catalog.max(@extschema@.monetary)'::pg_catalog.regprocedure]
    LOOP
        DELETE FROM pg_catalog.pg_depend
         WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid
           AND objid OPERATOR(pg_catalog.=) aggregate::pg_catalog.oid
           AND refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass::pg_catalog.oid
           AND refobjid OPERATOR(pg_catalog.=) (SELECT a.aggsortop FROM pg_catalog.pg_aggregate a
                              WHERE a.aggfnoid OPERATOR(pg_catalog.=) aggregate::pg_catalog.oid);
        UPDATE pg_catalog.pg_aggregate SET aggsortop = 0 WHERE aggfnoid OPERATOR(pg_catalog.=) aggregate::pg_catalog.oid;
    END LOOP;
END
$$;

-------------------------------------------------------------------------------
-- Account names and idempotency keys compare bytewise: a collation change must never let one
-- key post twice.
-------------------------------------------------------------------------------
-- PostgreSQL cannot change a column's collation under a view, a function body, a policy or a
-- trigger condition that uses it: name them, so that the DBA can drop them, update, and create
-- them again.
DO $$
DECLARE
    dependents text;
BEGIN
    SELECT pg_catalog.string_agg(DISTINCT pg_catalog.pg_describe_object(d.classid, d.objid, 0), ', ')
      INTO dependents
      FROM pg_catalog.pg_depend d
      JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
     WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid
       AND d.deptype OPERATOR(pg_catalog.=) 'n'::pg_catalog.char
       AND d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_rewrite'::pg_catalog.regclass,
                                     'pg_catalog.pg_proc'::pg_catalog.regclass,
                                     'pg_catalog.pg_policy'::pg_catalog.regclass,
                                     'pg_catalog.pg_trigger'::pg_catalog.regclass]::pg_catalog.oid[])
       AND ((d.refobjid OPERATOR(pg_catalog.=) '@extschema@.accounts'::pg_catalog.regclass::pg_catalog.oid
             AND a.attname OPERATOR(pg_catalog.=) 'name'::pg_catalog.name)
         OR (d.refobjid OPERATOR(pg_catalog.=) '@extschema@.transfers'::pg_catalog.regclass::pg_catalog.oid
             AND a.attname OPERATOR(pg_catalog.=) 'idempotency_key'::pg_catalog.name));
    IF dependents IS NOT NULL THEN
        RAISE EXCEPTION 'ledger 1.1 makes ledger.accounts.name and ledger.transfers.idempotency_key '
                        'COLLATE "C", which these objects prevent: %', dependents
            USING ERRCODE = '2BP01',
                  HINT = 'Drop them, run ALTER EXTENSION ledger UPDATE, then create them again.';
    END IF;
END
$$;
ALTER TABLE @extschema@.accounts ALTER COLUMN name TYPE text COLLATE "C";
ALTER TABLE @extschema@.transfers ALTER COLUMN idempotency_key TYPE text COLLATE "C";

-------------------------------------------------------------------------------
-- statement() refuses NULL arguments and unknown accounts; verify() checks more.
-------------------------------------------------------------------------------
-- An account's entries with the running balance, newest (or oldest) first, one page at a time:
-- pass the last account_version seen as after_version to get the next page.
CREATE OR REPLACE FUNCTION @extschema@.statement(
    account bigint, newest_first boolean DEFAULT true, page_size int DEFAULT 100,
    after_version bigint DEFAULT NULL)
RETURNS TABLE (account_version bigint, transfer_id bigint, amount @extschema@.monetary,
               balance_after @extschema@.monetary, counterparty bigint,
               created_at timestamptz, metadata jsonb)
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF account IS NULL OR newest_first IS NULL OR page_size IS NULL THEN
        RAISE EXCEPTION 'statement() takes an account, newest_first and page_size, none of them NULL'
            USING ERRCODE = '22004';
    END IF;
    IF page_size < 0 THEN
        RAISE EXCEPTION 'page_size must be zero or more, not %', page_size USING ERRCODE = '22023';
    END IF;
    PERFORM FROM @extschema@.accounts a WHERE a.id = account;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % does not exist', account USING ERRCODE = 'LG104';
    END IF;
    -- The direction is spelled out, so that the query walks the entries' primary key.
    RETURN QUERY EXECUTE pg_catalog.format(
        'SELECT e.account_version, e.transfer_id, e.amount, e.balance_after,
                CASE WHEN t.from_account = e.account_id THEN t.to_account ELSE t.from_account END,
                t.created_at, t.metadata
           FROM @extschema@.entries e
           JOIN @extschema@.transfers t ON t.id = e.transfer_id
          WHERE e.account_id = $1 AND ($2 IS NULL OR e.account_version %1$s $2)
          ORDER BY e.account_version %2$s
          LIMIT $3',
        CASE WHEN newest_first THEN '<' ELSE '>' END,
        CASE WHEN newest_first THEN 'DESC' ELSE 'ASC' END)
        USING account, after_version, page_size;
END
$$;

-- One row per violated invariant; no rows when the ledger is consistent. Amounts are compared as
-- numeric together with their currency codes, so that a corrupt row is reported, not raised on.
CREATE OR REPLACE FUNCTION @extschema@.verify()
RETURNS TABLE (invariant text, subject text, detail text)
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    -- Sums are taken in numeric: every balance is in range, but a running total in monetary
    -- could still overflow part way.
    SELECT 'currency balances sum to zero', a.currency,
           'sum of balances is ' || sum(@extschema@.amount(a.balance)) || ' ' || a.currency
      FROM @extschema@.accounts a
     GROUP BY a.currency
    HAVING sum(@extschema@.amount(a.balance)) <> 0
    UNION ALL
    SELECT 'balance equals the sum of entries', 'account ' || a.id,
           'balance ' || a.balance::text || ', entries sum to '
           || coalesce(sum(@extschema@.amount(e.amount)), 0)
      FROM @extschema@.accounts a
      LEFT JOIN @extschema@.entries e ON e.account_id = a.id
     GROUP BY a.id, a.balance
    HAVING coalesce(sum(@extschema@.amount(e.amount)), 0) <> @extschema@.amount(a.balance)
    UNION ALL
    SELECT 'balance equals the last balance_after', 'account ' || a.id,
           'balance ' || a.balance::text || ', last entry says ' || e.balance_after::text
      FROM @extschema@.accounts a
      JOIN @extschema@.entries e ON e.account_id = a.id AND e.account_version = a.version
     WHERE e.balance_after <> a.balance
    UNION ALL
    SELECT 'entry versions have no gaps', 'account ' || a.id,
           'version ' || a.version || ', ' || count(e.*) || ' entries, highest '
           || coalesce(max(e.account_version), 0)
      FROM @extschema@.accounts a
      LEFT JOIN @extschema@.entries e ON e.account_id = a.id
     GROUP BY a.id, a.version
    HAVING count(e.*) <> a.version OR coalesce(max(e.account_version), 0) <> a.version
        OR coalesce(min(e.account_version), 1) < 1
    UNION ALL
    SELECT 'each transfer has exactly its two entries', 'transfer ' || t.id,
           count(e.*) || ' entries'
      FROM @extschema@.transfers t
      LEFT JOIN @extschema@.entries e ON e.transfer_id = t.id
       AND ((e.account_id = t.from_account AND e.amount = - t.amount)
         OR (e.account_id = t.to_account AND e.amount = t.amount))
     GROUP BY t.id
    HAVING count(e.*) <> 2
    UNION ALL
    SELECT 'entries belong to their transfer', 'transfer ' || e.transfer_id,
           'account ' || e.account_id || ' version ' || e.account_version
      FROM @extschema@.entries e
      JOIN @extschema@.transfers t ON t.id = e.transfer_id
     WHERE e.account_id NOT IN (t.from_account, t.to_account)
    UNION ALL
    SELECT 'amounts are in their account''s currency', 'account ' || a.id,
           concat_ws(', ', 'currency ' || a.currency, 'balance ' || a.balance::text,
                     'min_balance ' || a.min_balance::text, 'max_balance ' || a.max_balance::text)
      FROM @extschema@.accounts a
     WHERE @extschema@.currency(a.balance) <> a.currency
        OR @extschema@.currency(a.min_balance) <> a.currency
        OR @extschema@.currency(a.max_balance) <> a.currency
    UNION ALL
    SELECT 'amounts are in their account''s currency',
           'account ' || e.account_id || ' version ' || e.account_version,
           'account currency ' || a.currency || ', entry ' || e.amount::text || ', balance after '
           || e.balance_after::text
      FROM @extschema@.entries e
      JOIN @extschema@.accounts a ON a.id = e.account_id
     WHERE @extschema@.currency(e.amount) <> a.currency
        OR @extschema@.currency(e.balance_after) <> a.currency
    UNION ALL
    SELECT 'balances are within their limits', 'account ' || a.id,
           concat_ws(', ', 'balance ' || a.balance::text, 'min_balance ' || a.min_balance::text,
                     'max_balance ' || a.max_balance::text)
      FROM @extschema@.accounts a
     WHERE (@extschema@.currency(a.min_balance) = @extschema@.currency(a.balance)
            AND @extschema@.amount(a.balance) < @extschema@.amount(a.min_balance))
        OR (@extschema@.currency(a.max_balance) = @extschema@.currency(a.balance)
            AND @extschema@.amount(a.balance) > @extschema@.amount(a.max_balance))
    UNION ALL
    SELECT 'each balance_after adds its entry to the one before',
           'account ' || c.account_id || ' version ' || c.account_version,
           'previous balance ' || c.previous || ', entry ' || c.amount::text
           || ', balance after ' || c.balance_after::text
      FROM (SELECT e.account_id, e.account_version, e.amount, e.balance_after,
                   coalesce(lag(@extschema@.amount(e.balance_after))
                                OVER (PARTITION BY e.account_id ORDER BY e.account_version),
                            0) AS previous
              FROM @extschema@.entries e) c
     WHERE c.previous + @extschema@.amount(c.amount) <> @extschema@.amount(c.balance_after)
    UNION ALL
    SELECT 'amounts have their currency''s minor units', v.place,
           v.value::text || ' has ' || scale(@extschema@.amount(v.value)) || ' decimals, '
           || coalesce(c.code || ' has ' || c.minor_units, 'the currency is not registered')
      FROM (SELECT 'account ' || a.id AS place, x.value
              FROM @extschema@.accounts a,
                   LATERAL (VALUES (a.balance), (a.min_balance), (a.max_balance)) x(value)
             WHERE x.value IS NOT NULL
            UNION ALL
            SELECT 'transfer ' || t.id, t.amount FROM @extschema@.transfers t
            UNION ALL
            SELECT 'account ' || e.account_id || ' version ' || e.account_version, x.value
              FROM @extschema@.entries e,
                   LATERAL (VALUES (e.amount), (e.balance_after)) x(value)) v
      LEFT JOIN @extschema@.currencies c ON c.code = @extschema@.currency(v.value)
     WHERE c.minor_units IS DISTINCT FROM scale(@extschema@.amount(v.value))
    UNION ALL
    -- Each registered currency is a row and a function that returns its minor units (see
    -- create_currency); lookups trust a function only if the extension's owner or a superuser
    -- owns it and its body is the constant.
    SELECT 'registered currencies agree with their definitions', coalesce(r.code, d.code),
           CASE WHEN d.code IS NULL THEN 'no function ledger."currency:' || r.code || '"()'
                WHEN r.code IS NULL THEN 'function ' || d.signature || ' has no row in custom_currencies'
                WHEN NOT d.trusted THEN 'function ' || d.signature || ' is not the extension''s own'
                WHEN d.body IS DISTINCT FROM 'RETURN ' || r.minor_units
                THEN 'custom_currencies says ' || r.minor_units || ' minor units, '
                     || d.signature || ' says ' || coalesce(d.body, 'nothing')
                ELSE 'function ' || d.signature || ' does not depend on the extension' END
      FROM @extschema@.custom_currencies r
      FULL JOIN (
          SELECT substr(p.proname, 10) AS code, p.oid::regprocedure::text AS signature,
                 pg_get_function_sqlbody(p.oid) AS body,
                 EXISTS (SELECT FROM pg_depend dep
                          WHERE dep.classid = 'pg_proc'::regclass AND dep.objid = p.oid
                            AND dep.refclassid = 'pg_extension'::regclass
                            AND dep.refobjid = x.oid AND dep.deptype = 'x') AS tied,
                 p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql')
                 AND p.prokind = 'f' AND NOT p.proretset
                 AND p.pronargs = 0 AND p.prorettype = 'integer'::regtype
                 AND (p.proowner = x.extowner
                      OR (SELECT rolsuper FROM pg_roles WHERE oid = p.proowner)) AS trusted
            FROM pg_proc p, pg_extension x
           WHERE x.extname = 'ledger' AND p.pronamespace = '@extschema@'::regnamespace
             AND p.proname LIKE 'currency:%') d ON d.code = r.code
     WHERE d.code IS NULL OR r.code IS NULL OR NOT d.trusted OR NOT d.tied
        OR d.body IS DISTINCT FROM 'RETURN ' || r.minor_units
$$;
