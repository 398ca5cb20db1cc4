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
-------------------------------------------------------------------------------
-- Balance slots. An account's balance and version move from ledger.accounts to ledger.balances,
-- as its one slot; external accounts get 16 slots, the new ones opening at zero, so no money
-- moves. Entries gain their slot. The foreign keys go: the posting functions lock the accounts
-- and insert the transfer themselves, and verify() checks the references.
-------------------------------------------------------------------------------

-- An account's balance, in one slot or split over several. A transfer locks one slot of each
-- account (any free one that can take it), so that a busy account does not make every transfer
-- wait for the one before it. Each slot stays within its share of the account's limits, hence
-- the account within its limits. Slots numbered `slots` and above are retired (balance zero).
-- Narrow rows with room on their page, so that the update a transfer makes stays HOT.
CREATE TABLE @extschema@.balances (
    account_id  bigint NOT NULL,
    slot        smallint NOT NULL CHECK (slot >= 0),
    slots       smallint NOT NULL CHECK (slots BETWEEN 1 AND 64),  -- the account's slots in use
    is_external boolean NOT NULL,
    balance     @extschema@.monetary NOT NULL,
    min_share   @extschema@.monetary,  -- this slot's share of min_balance; NULL: no lower bound
    max_share   @extschema@.monetary,  -- this slot's share of max_balance; NULL: no upper bound
    version     bigint NOT NULL DEFAULT 0 CHECK (version >= 0),  -- entries of this slot so far
    PRIMARY KEY (account_id, slot)
) WITH (fillfactor = 70);

INSERT INTO @extschema@.balances (account_id, slot, slots, is_external, balance, min_share,
                                max_share, version)
SELECT a.id, 0, CASE WHEN a.is_external THEN 16 ELSE 1 END, a.is_external, a.balance,
       a.min_balance, a.max_balance, a.version
  FROM @extschema@.accounts a;
INSERT INTO @extschema@.balances (account_id, slot, slots, is_external, balance)
SELECT a.id, s.slot, 16, true, @extschema@.monetary(0, a.currency)
  FROM @extschema@.accounts a, pg_catalog.generate_series(1, 15) AS s(slot)
 WHERE a.is_external;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.balances', '');
REVOKE ALL ON @extschema@.balances FROM PUBLIC;

ALTER TABLE @extschema@.transfers DROP CONSTRAINT transfers_from_account_fkey,
                                  DROP CONSTRAINT transfers_to_account_fkey;
ALTER TABLE @extschema@.entries DROP CONSTRAINT entries_account_id_fkey,
                                DROP CONSTRAINT entries_transfer_id_fkey;
ALTER TABLE @extschema@.entries ADD COLUMN slot smallint NOT NULL DEFAULT 0;
ALTER TABLE @extschema@.entries DROP CONSTRAINT entries_pkey,
                                ADD PRIMARY KEY (account_id, slot, account_version);
ALTER TABLE @extschema@.transfers DROP CONSTRAINT transfers_idempotency_key_key;
CREATE UNIQUE INDEX transfers_idempotency_key_key ON @extschema@.transfers (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
DROP INDEX @extschema@.entries_transfer;
CREATE INDEX entries_transfer ON @extschema@.entries USING brin (transfer_id)
    WITH (pages_per_range = 8);
-- Fails, naming them, if the user's views or functions read these columns: they read
-- ledger.account_balances now.
ALTER TABLE @extschema@.accounts DROP COLUMN balance, DROP COLUMN version;

CREATE FUNCTION @extschema@.balance_write_trigger() RETURNS trigger
AS 'MODULE_PATHNAME', 'ledger_balance_write_trigger' LANGUAGE C;
CREATE TRIGGER balances_guarded BEFORE UPDATE OR DELETE ON @extschema@.balances
    FOR EACH ROW EXECUTE FUNCTION @extschema@.balance_write_trigger();
CREATE TRIGGER balances_no_truncate BEFORE TRUNCATE ON @extschema@.balances
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.balance_write_trigger();

-------------------------------------------------------------------------------
-- The change feed: committed transfers at dense positions, in an order consistent with commits
-------------------------------------------------------------------------------

-- Which transaction made each transfer (its top-level id): the sequencer finds the transfers
-- that committed between two snapshots by it. A block range index costs a transfer almost
-- nothing; each tick summarizes the pages written since the last one.
CREATE FUNCTION @extschema@.current_xact_id() RETURNS bigint
AS 'MODULE_PATHNAME', 'ledger_current_xact_id' LANGUAGE C VOLATILE STRICT;
-- Transfers made before the feed existed are sequenced by its first tick, in id order.
ALTER TABLE @extschema@.transfers ADD COLUMN xact_id bigint NOT NULL DEFAULT 0;
ALTER TABLE @extschema@.transfers ALTER COLUMN xact_id SET DEFAULT @extschema@.current_xact_id();
CREATE INDEX transfers_xact ON @extschema@.transfers USING brin (xact_id)
    WITH (pages_per_range = 8);

-- One row per sequenced transfer. Append-only.
CREATE TABLE @extschema@.feed (
    position    bigint PRIMARY KEY CHECK (position > 0),
    transfer_id bigint NOT NULL
);

-- The sequencer's one row, made by the first tick (a dump of it then restores into a fresh
-- install): the last position and the snapshot of the last tick. A transfer is sequenced by
-- the first tick whose snapshot sees it committed.
CREATE TABLE @extschema@.feed_state (
    only_row          boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_position     bigint NOT NULL DEFAULT 0 CHECK (last_position >= 0),
    snapshot          pg_snapshot,  -- of the last tick; NULL before the first
    system_identifier bigint,       -- of the cluster that took it
    resync_floor      bigint NOT NULL DEFAULT 0,  -- transfers up to this id: sequenced by a resync
    ticked_at         timestamptz
);

-- Named cursors of consumers in this database: the position up to which each has applied the
-- feed, moved by feed_ack in the consumer's own transaction.
CREATE TABLE @extschema@.feed_consumers (
    consumer   text COLLATE "C" PRIMARY KEY CHECK (consumer <> '' AND octet_length(consumer) <= 255),
    position   bigint NOT NULL DEFAULT 0 CHECK (position >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.feed', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.feed_state', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.feed_consumers', '');
REVOKE ALL ON @extschema@.feed, @extschema@.feed_state, @extschema@.feed_consumers FROM PUBLIC;

CREATE TRIGGER feed_append_only BEFORE UPDATE OR DELETE ON @extschema@.feed
    FOR EACH ROW EXECUTE FUNCTION @extschema@.append_only_trigger();
CREATE TRIGGER feed_no_truncate BEFORE TRUNCATE ON @extschema@.feed
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.append_only_trigger();

-------------------------------------------------------------------------------
-- The ledger's functions. Those that write run with the extension owner's rights and a
-- search_path that no caller's schema can reach.
-------------------------------------------------------------------------------

-- '0 XXX' (ISO's "no currency") as a limit means zero in the account's own currency.
CREATE OR REPLACE FUNCTION @extschema@.create_account(
    name text, currency text,
    min_balance @extschema@.monetary DEFAULT '0 XXX',
    max_balance @extschema@.monetary DEFAULT NULL,
    metadata jsonb DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ledger_open_account' LANGUAGE C VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION @extschema@.transfer(
    from_account bigint, to_account bigint, amount @extschema@.monetary,
    idempotency_key text DEFAULT NULL, metadata jsonb DEFAULT NULL,
    expected_version bigint DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ledger_post_transfer' LANGUAGE C VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION @extschema@.withdraw(
    account bigint, amount @extschema@.monetary,
    idempotency_key text DEFAULT NULL, metadata jsonb DEFAULT NULL,
    expected_version bigint DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ledger_post_withdraw' LANGUAGE C VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION @extschema@.deposit(
    account bigint, amount @extschema@.monetary,
    idempotency_key text DEFAULT NULL, metadata jsonb DEFAULT NULL,
    expected_version bigint DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ledger_post_deposit' LANGUAGE C VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- Many transfers in one call, all or nothing: each account is locked once, the transfers are
-- checked and applied in array order, and the rows are written in bulk.
CREATE FUNCTION @extschema@.transfer_many(
    from_accounts bigint[], to_accounts bigint[], amounts @extschema@.monetary[],
    idempotency_keys text[] DEFAULT NULL, metadata jsonb[] DEFAULT NULL)
RETURNS TABLE (item int, transfer_id bigint)
AS 'MODULE_PATHNAME', 'ledger_transfer_many' LANGUAGE C VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER SET search_path = pg_catalog, pg_temp ROWS 1000;

-- Slots: how many rows an account's balance is spread over.
CREATE FUNCTION @extschema@.split_account(account bigint, slots int) RETURNS void
AS 'MODULE_PATHNAME', 'ledger_split_account' LANGUAGE C VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION @extschema@.merge_account(account bigint) RETURNS void
AS 'MODULE_PATHNAME', 'ledger_merge_account' LANGUAGE C VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION @extschema@.rebalance(account bigint) RETURNS void
AS 'MODULE_PATHNAME', 'ledger_rebalance' LANGUAGE C VOLATILE CALLED ON NULL INPUT
SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION @extschema@.create_account(text, text, @extschema@.monetary,
    @extschema@.monetary, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.transfer(bigint, bigint, @extschema@.monetary, text, jsonb,
    bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.withdraw(bigint, @extschema@.monetary, text, jsonb, bigint)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.deposit(bigint, @extschema@.monetary, text, jsonb, bigint)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.transfer_many(bigint[], bigint[], @extschema@.monetary[],
    text[], jsonb[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.split_account(bigint, int) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.merge_account(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.rebalance(bigint) FROM PUBLIC;

-- Reading runs with the caller's rights: a reader needs SELECT on the tables.
CREATE OR REPLACE FUNCTION @extschema@.balance(account bigint) RETURNS @extschema@.monetary
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    result @extschema@.monetary;
BEGIN
    SELECT sum(b.balance) INTO result FROM @extschema@.balances b WHERE b.account_id = account;
    IF result IS NULL THEN
        RAISE EXCEPTION 'account % does not exist', account USING ERRCODE = 'LG104';
    END IF;
    RETURN result;
END
$$;

-- Accounts with their balances: what ledger.accounts showed in 1.0, plus the number of slots.
-- version is the account's number of entries while it has one slot, NULL while it is split.
CREATE VIEW @extschema@.account_balances WITH (security_invoker = true) AS
    SELECT a.id, a.name, a.currency, b.balance, a.min_balance, a.max_balance, b.version,
           b.slots, a.is_external, a.metadata, a.created_at
      FROM @extschema@.accounts a
      JOIN LATERAL (
          SELECT sum(s.balance) AS balance, min(s.slots) AS slots,
                 CASE WHEN min(s.slots) = 1 THEN max(s.version) FILTER (WHERE s.slot = 0) END
                     AS version
            FROM @extschema@.balances s
           WHERE s.account_id = a.id) b ON true;

-- An account's entries, newest (or oldest) first, page_size transfers at a time: pass the last
-- transfer_id seen as after_transfer (or, for an account that was never split, the last
-- account_version as after_version). balance_after is the account's balance after the transfer;
-- for an account with several slots it is derived in transfer-id order (see the README), and
-- slot_balance_after is the slot's own. A move between the account's own slots has two rows.
DROP FUNCTION @extschema@.statement(bigint, boolean, int, bigint);
CREATE FUNCTION @extschema@.statement(
    account bigint, newest_first boolean DEFAULT true, page_size int DEFAULT 100,
    after_version bigint DEFAULT NULL, after_transfer bigint DEFAULT NULL)
RETURNS TABLE (account_version bigint, transfer_id bigint, amount @extschema@.monetary,
               balance_after @extschema@.monetary, counterparty bigint,
               created_at timestamptz, metadata jsonb, slot smallint,
               slot_balance_after @extschema@.monetary)
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    slot_rows int;
BEGIN
    IF account IS NULL OR newest_first IS NULL OR page_size IS NULL THEN
        RAISE EXCEPTION 'statement() takes an account, newest_first and page_size, none of them NULL'
            USING ERRCODE = '22004';
    END IF;
    IF page_size < 0 THEN
        RAISE EXCEPTION 'page_size must be zero or more, not %', page_size USING ERRCODE = '22023';
    END IF;
    IF after_version IS NOT NULL AND after_transfer IS NOT NULL THEN
        RAISE EXCEPTION 'statement() pages by after_version or by after_transfer, not both'
            USING ERRCODE = '22023';
    END IF;
    SELECT count(*) INTO slot_rows FROM @extschema@.balances b WHERE b.account_id = account;
    IF slot_rows = 0 THEN
        PERFORM FROM @extschema@.accounts a WHERE a.id = account;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'account % does not exist', account USING ERRCODE = 'LG104';
        END IF;
    END IF;
    IF after_version IS NOT NULL AND slot_rows > 1 THEN
        RAISE EXCEPTION 'account % has been split into slots: page its statement by after_transfer',
                        account USING ERRCODE = 'LG113';
    END IF;
    IF slot_rows <= 1 THEN
        -- One chain, whose versions and transfer ids rise together: page by version, along the
        -- primary key.
        IF after_transfer IS NOT NULL THEN
            SELECT e.account_version INTO after_version FROM @extschema@.entries e
             WHERE e.account_id = account AND e.slot = 0 AND e.transfer_id = after_transfer;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'transfer % has no entry on account %', after_transfer, account
                    USING ERRCODE = '22023',
                          HINT = 'Pass a transfer_id from the account''s previous page.';
            END IF;
        END IF;
        RETURN QUERY EXECUTE pg_catalog.format(
            'SELECT e.account_version, e.transfer_id, e.amount, e.balance_after,
                    CASE WHEN t.from_account = e.account_id THEN t.to_account ELSE t.from_account END,
                    t.created_at, t.metadata, e.slot, e.balance_after
               FROM @extschema@.entries e
               JOIN @extschema@.transfers t ON t.id = e.transfer_id
              WHERE e.account_id = $1 AND e.slot = 0 AND ($2 IS NULL OR e.account_version %1$s $2)
              ORDER BY e.account_version %2$s
              LIMIT $3',
            CASE WHEN newest_first THEN '<' ELSE '>' END,
            CASE WHEN newest_first THEN 'DESC' ELSE 'ASC' END)
            USING account, after_version, page_size;
        RETURN;
    END IF;
    -- Several slots: each slot's chain is in transfer-id order, so the page's transfers are
    -- among the first page_size entries of each slot. The account's balance after an entry is
    -- the sum, over its slots, of each slot's last balance_after up to that entry.
    RETURN QUERY EXECUTE pg_catalog.format(
        'WITH candidates AS (
             SELECT c.* FROM pg_catalog.generate_series(0, $4 - 1) AS s(slot),
                  LATERAL (SELECT e.* FROM @extschema@.entries e
                            WHERE e.account_id = $1 AND e.slot = s.slot
                              AND ($2 IS NULL OR e.transfer_id %1$s $2)
                            ORDER BY e.account_version %2$s
                            LIMIT $3) c),
         ids AS (
             SELECT DISTINCT c.transfer_id FROM candidates c
              ORDER BY c.transfer_id %2$s
              LIMIT $3),
         page AS (SELECT c.* FROM candidates c JOIN ids USING (transfer_id)),
         first AS (SELECT p.transfer_id, p.slot FROM page p ORDER BY p.transfer_id, p.slot LIMIT 1),
         base AS (
             SELECT coalesce(sum(@extschema@.amount(
                        (SELECT e.balance_after FROM @extschema@.entries e, first f
                          WHERE e.account_id = $1 AND e.slot = s.slot
                            AND (e.transfer_id, e.slot) < (f.transfer_id, f.slot)
                          ORDER BY e.account_version DESC LIMIT 1))), 0) AS total
               FROM @extschema@.balances s WHERE s.account_id = $1)
         SELECT p.account_version, p.transfer_id, p.amount,
                @extschema@.monetary(b.total + sum(@extschema@.amount(p.amount))
                                         OVER (ORDER BY p.transfer_id),
                                     @extschema@.currency(p.amount)),
                CASE WHEN t.from_account = p.account_id THEN t.to_account ELSE t.from_account END,
                t.created_at, t.metadata, p.slot, p.balance_after
           FROM page p CROSS JOIN base b
           JOIN @extschema@.transfers t ON t.id = p.transfer_id
          ORDER BY p.transfer_id %2$s, p.slot %2$s',
        CASE WHEN newest_first THEN '<' ELSE '>' END,
        CASE WHEN newest_first THEN 'DESC' ELSE 'ASC' END)
        USING account, after_transfer, page_size, slot_rows;
END
$$;

-- One row per violated invariant; no rows when the ledger is consistent. Amounts are compared as
-- numeric together with their currency codes, so that a corrupt row is reported, not raised on.
CREATE OR REPLACE FUNCTION @extschema@.verify()
RETURNS TABLE (invariant text, subject text, detail text)
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    -- Sums are taken in numeric: every balance is in range, but a running total in monetary
    -- could still overflow part way.
    SELECT 'currency balances sum to zero', @extschema@.currency(b.balance),
           'sum of balances is ' || sum(@extschema@.amount(b.balance)) || ' '
           || @extschema@.currency(b.balance)
      FROM @extschema@.balances b
     GROUP BY @extschema@.currency(b.balance)
    HAVING sum(@extschema@.amount(b.balance)) <> 0
    UNION ALL
    -- References the posting functions keep without foreign keys.
    SELECT 'references exist', 'transfer ' || t.id,
           'account ' || x.account || ' does not exist'
      FROM @extschema@.transfers t,
           LATERAL (VALUES (t.from_account), (t.to_account)) x(account)
     WHERE NOT EXISTS (SELECT FROM @extschema@.accounts a WHERE a.id = x.account)
    UNION ALL
    SELECT 'references exist', 'account ' || e.account_id || ' slot ' || e.slot || ' version '
           || e.account_version,
           concat_ws(', ',
                     CASE WHEN NOT EXISTS (SELECT FROM @extschema@.accounts a WHERE a.id = e.account_id)
                          THEN 'no such account' END,
                     CASE WHEN NOT EXISTS (SELECT FROM @extschema@.transfers t WHERE t.id = e.transfer_id)
                          THEN 'transfer ' || e.transfer_id || ' does not exist' END,
                     CASE WHEN NOT EXISTS (SELECT FROM @extschema@.balances b
                                            WHERE b.account_id = e.account_id AND b.slot = e.slot)
                          THEN 'no such slot' END)
      FROM @extschema@.entries e
     WHERE NOT EXISTS (SELECT FROM @extschema@.accounts a WHERE a.id = e.account_id)
        OR NOT EXISTS (SELECT FROM @extschema@.transfers t WHERE t.id = e.transfer_id)
        OR NOT EXISTS (SELECT FROM @extschema@.balances b
                        WHERE b.account_id = e.account_id AND b.slot = e.slot)
    UNION ALL
    -- Every account has slots 0 .. n-1, all saying the same number in use, and nothing else.
    SELECT 'each account has its slots', 'account ' || a.id,
           count(b.*) || ' slot rows numbered ' || coalesce(min(b.slot), -1) || ' to '
           || coalesce(max(b.slot), -1) || ', slots in use ' || coalesce(min(b.slots), 0) || ' to '
           || coalesce(max(b.slots), 0)
      FROM @extschema@.accounts a
      LEFT JOIN @extschema@.balances b ON b.account_id = a.id
     GROUP BY a.id
    HAVING count(b.*) = 0 OR min(b.slot) <> 0 OR max(b.slot) <> count(b.*) - 1
        OR min(b.slots) <> max(b.slots) OR max(b.slots) > count(b.*)
        OR bool_or(b.is_external <> a.is_external)
    UNION ALL
    SELECT 'each account has its slots', 'account ' || b.account_id || ' slot ' || b.slot,
           'no such account'
      FROM @extschema@.balances b
     WHERE NOT EXISTS (SELECT FROM @extschema@.accounts a WHERE a.id = b.account_id)
    UNION ALL
    -- The shares of the slots in use add up to the account's limits; a retired slot holds nothing.
    SELECT 'slot shares add up to the limits', 'account ' || a.id,
           concat_ws(', ', 'min_balance ' || a.min_balance::text,
                     'min_shares sum to ' || coalesce(sum(@extschema@.amount(b.min_share))::text, 'nothing'),
                     'max_balance ' || a.max_balance::text,
                     'max_shares sum to ' || coalesce(sum(@extschema@.amount(b.max_share))::text, 'nothing'))
      FROM @extschema@.accounts a
      JOIN @extschema@.balances b ON b.account_id = a.id AND b.slot < b.slots
     GROUP BY a.id, a.min_balance, a.max_balance
    HAVING sum(@extschema@.amount(b.min_share)) IS DISTINCT FROM @extschema@.amount(a.min_balance)
        OR sum(@extschema@.amount(b.max_share)) IS DISTINCT FROM @extschema@.amount(a.max_balance)
        OR count(b.min_share) NOT IN (0, count(*)) OR count(b.max_share) NOT IN (0, count(*))
    UNION ALL
    SELECT 'retired slots hold nothing', 'account ' || b.account_id || ' slot ' || b.slot,
           'balance ' || b.balance::text
      FROM @extschema@.balances b
     WHERE b.slot >= b.slots AND @extschema@.amount(b.balance) <> 0
    UNION ALL
    SELECT 'balance equals the sum of entries', 'account ' || b.account_id || ' slot ' || b.slot,
           'balance ' || b.balance::text || ', entries sum to '
           || coalesce(sum(@extschema@.amount(e.amount)), 0)
      FROM @extschema@.balances b
      LEFT JOIN @extschema@.entries e ON e.account_id = b.account_id AND e.slot = b.slot
     GROUP BY b.account_id, b.slot, b.balance
    HAVING coalesce(sum(@extschema@.amount(e.amount)), 0) <> @extschema@.amount(b.balance)
    UNION ALL
    SELECT 'balance equals the last balance_after', 'account ' || b.account_id || ' slot ' || b.slot,
           'balance ' || b.balance::text || ', last entry says ' || e.balance_after::text
      FROM @extschema@.balances b
      JOIN @extschema@.entries e ON e.account_id = b.account_id AND e.slot = b.slot
                                 AND e.account_version = b.version
     WHERE @extschema@.amount(e.balance_after) <> @extschema@.amount(b.balance)
        OR @extschema@.currency(e.balance_after) <> @extschema@.currency(b.balance)
    UNION ALL
    SELECT 'entry versions have no gaps', 'account ' || b.account_id || ' slot ' || b.slot,
           'version ' || b.version || ', ' || count(e.*) || ' entries, highest '
           || coalesce(max(e.account_version), 0)
      FROM @extschema@.balances b
      LEFT JOIN @extschema@.entries e ON e.account_id = b.account_id AND e.slot = b.slot
     GROUP BY b.account_id, b.slot, b.version
    HAVING count(e.*) <> b.version OR coalesce(max(e.account_version), 0) <> b.version
        OR coalesce(min(e.account_version), 1) < 1
    UNION ALL
    -- A transfer between two accounts has one entry on each, of its amount; one that moves money
    -- between the slots of one account has two entries on it, out of one slot and into another.
    SELECT 'each transfer has exactly its two entries', 'transfer ' || t.id,
           count(e.*) || ' matching entries'
      FROM @extschema@.transfers t
      LEFT JOIN @extschema@.entries e ON e.transfer_id = t.id
       AND ((e.account_id = t.from_account AND e.amount = - t.amount)
         OR (e.account_id = t.to_account AND e.amount = t.amount))
     GROUP BY t.id, t.from_account, t.to_account
    HAVING count(e.*) <> 2 OR count(DISTINCT (e.account_id, e.slot)) <> 2
        OR (t.from_account = t.to_account AND count(DISTINCT e.amount) <> 2)
    UNION ALL
    SELECT 'entries belong to their transfer', 'transfer ' || e.transfer_id,
           'account ' || e.account_id || ' slot ' || e.slot || ' version ' || e.account_version
      FROM @extschema@.entries e
      JOIN @extschema@.transfers t ON t.id = e.transfer_id
     WHERE e.account_id NOT IN (t.from_account, t.to_account)
    UNION ALL
    SELECT 'entries belong to their transfer', 'transfer ' || e.transfer_id,
           count(*) || ' entries'
      FROM @extschema@.entries e
     GROUP BY e.transfer_id
    HAVING count(*) <> 2
    UNION ALL
    SELECT 'amounts are in their account''s currency', 'account ' || a.id,
           concat_ws(', ', 'currency ' || a.currency, 'min_balance ' || a.min_balance::text,
                     'max_balance ' || a.max_balance::text)
      FROM @extschema@.accounts a
     WHERE @extschema@.currency(a.min_balance) <> a.currency
        OR @extschema@.currency(a.max_balance) <> a.currency
    UNION ALL
    SELECT 'amounts are in their account''s currency', 'account ' || b.account_id || ' slot ' || b.slot,
           concat_ws(', ', 'currency ' || a.currency, 'balance ' || b.balance::text,
                     'min_share ' || b.min_share::text, 'max_share ' || b.max_share::text)
      FROM @extschema@.balances b
      JOIN @extschema@.accounts a ON a.id = b.account_id
     WHERE @extschema@.currency(b.balance) <> a.currency
        OR @extschema@.currency(b.min_share) <> a.currency
        OR @extschema@.currency(b.max_share) <> a.currency
    UNION ALL
    SELECT 'amounts are in their account''s currency',
           'account ' || e.account_id || ' slot ' || e.slot || ' version ' || e.account_version,
           'account currency ' || a.currency || ', entry ' || e.amount::text || ', balance after '
           || e.balance_after::text
      FROM @extschema@.entries e
      JOIN @extschema@.accounts a ON a.id = e.account_id
     WHERE @extschema@.currency(e.amount) <> a.currency
        OR @extschema@.currency(e.balance_after) <> a.currency
    UNION ALL
    -- Each slot within its share, hence each account within its limits.
    SELECT 'balances are within their limits', 'account ' || b.account_id || ' slot ' || b.slot,
           concat_ws(', ', 'balance ' || b.balance::text, 'min_share ' || b.min_share::text,
                     'max_share ' || b.max_share::text)
      FROM @extschema@.balances b
     WHERE (@extschema@.currency(b.min_share) = @extschema@.currency(b.balance)
            AND @extschema@.amount(b.balance) < @extschema@.amount(b.min_share))
        OR (@extschema@.currency(b.max_share) = @extschema@.currency(b.balance)
            AND @extschema@.amount(b.balance) > @extschema@.amount(b.max_share))
    UNION ALL
    SELECT 'each balance_after adds its entry to the one before',
           'account ' || c.account_id || ' slot ' || c.slot || ' version ' || c.account_version,
           'previous balance ' || c.previous || ', entry ' || c.amount::text
           || ', balance after ' || c.balance_after::text
      FROM (SELECT e.account_id, e.slot, e.account_version, e.amount, e.balance_after,
                   coalesce(lag(@extschema@.amount(e.balance_after))
                                OVER (PARTITION BY e.account_id, e.slot
                                      ORDER BY e.account_version),
                            0) AS previous
              FROM @extschema@.entries e) c
     WHERE c.previous + @extschema@.amount(c.amount) <> @extschema@.amount(c.balance_after)
    UNION ALL
    -- In each slot, later versions have later transfers: the order of transfer ids is then one
    -- in which every transfer saw the slot balances it was checked against.
    SELECT 'slot versions follow transfer ids',
           'account ' || c.account_id || ' slot ' || c.slot || ' version ' || c.account_version,
           'transfer ' || c.transfer_id || ' after transfer ' || c.previous
      FROM (SELECT e.account_id, e.slot, e.account_version, e.transfer_id,
                   lag(e.transfer_id) OVER (PARTITION BY e.account_id, e.slot
                                            ORDER BY e.account_version) AS previous
              FROM @extschema@.entries e) c
     WHERE c.transfer_id <= c.previous
    UNION ALL
    -- The account's running balance in transfer-id order stays within its limits.
    SELECT 'running balances are within their limits',
           'account ' || r.account_id || ' transfer ' || r.transfer_id,
           concat_ws(', ', 'running balance ' || r.running, 'min_balance ' || a.min_balance::text,
                     'max_balance ' || a.max_balance::text)
      FROM (SELECT p.account_id, p.transfer_id,
                   sum(p.net) OVER (PARTITION BY p.account_id ORDER BY p.transfer_id) AS running
              FROM (SELECT e.account_id, e.transfer_id, sum(@extschema@.amount(e.amount)) AS net
                      FROM @extschema@.entries e
                     GROUP BY e.account_id, e.transfer_id) p) r
      JOIN @extschema@.accounts a ON a.id = r.account_id
     WHERE r.running < @extschema@.amount(a.min_balance)
        OR r.running > @extschema@.amount(a.max_balance)
    UNION ALL
    SELECT 'amounts have their currency''s minor units', v.place,
           v.value::text || ' has ' || scale(@extschema@.amount(v.value)) || ' decimals, '
           || coalesce(c.code || ' has ' || c.minor_units, 'the currency is not registered')
      FROM (SELECT 'account ' || a.id AS place, x.value
              FROM @extschema@.accounts a,
                   LATERAL (VALUES (a.min_balance), (a.max_balance)) x(value)
             WHERE x.value IS NOT NULL
            UNION ALL
            SELECT 'account ' || b.account_id || ' slot ' || b.slot, x.value
              FROM @extschema@.balances b,
                   LATERAL (VALUES (b.balance), (b.min_share), (b.max_share)) x(value)
             WHERE x.value IS NOT NULL
            UNION ALL
            SELECT 'transfer ' || t.id, t.amount FROM @extschema@.transfers t
            UNION ALL
            SELECT 'account ' || e.account_id || ' slot ' || e.slot || ' version ' || e.account_version,
                   x.value
              FROM @extschema@.entries e,
                   LATERAL (VALUES (e.amount), (e.balance_after)) x(value)) v
      LEFT JOIN @extschema@.currencies c ON c.code = @extschema@.currency(v.value)
     WHERE c.minor_units IS DISTINCT FROM scale(@extschema@.amount(v.value))
    UNION ALL
    -- The feed: positions 1 .. last without gaps, each naming a transfer that exists, no transfer
    -- twice, every transfer the last tick saw committed sequenced, and in each slot's chain
    -- versions rising with position.
    SELECT 'feed positions are dense', 'feed',
           count(f.*) || ' positions, lowest ' || coalesce(min(f.position), 0) || ', highest '
           || coalesce(max(f.position), 0) || ', last tick says '
           || coalesce((SELECT s.last_position FROM @extschema@.feed_state s), 0)
      FROM @extschema@.feed f
    HAVING count(f.*) <> coalesce(max(f.position), 0)
        OR coalesce(max(f.position), 0)
           <> coalesce((SELECT s.last_position FROM @extschema@.feed_state s), 0)
    UNION ALL
    SELECT 'each position names one transfer', 'transfer ' || f.transfer_id,
           CASE WHEN count(*) > 1 THEN 'at positions ' || string_agg(f.position::text, ', ' ORDER BY f.position)
                ELSE 'at position ' || min(f.position) || ', but no such transfer' END
      FROM @extschema@.feed f
     GROUP BY f.transfer_id
    HAVING count(*) > 1
        OR NOT EXISTS (SELECT FROM @extschema@.transfers t WHERE t.id = f.transfer_id)
    UNION ALL
    SELECT 'committed transfers are sequenced', 'transfer ' || t.id,
           'committed before the last tick, which sees it, but has no position'
      FROM @extschema@.feed_state s
      JOIN @extschema@.transfers t
        ON t.id <= s.resync_floor
        OR (s.system_identifier = (SELECT c.system_identifier FROM pg_control_system() c)
            AND pg_visible_in_snapshot(t.xact_id::text::xid8, s.snapshot))
     WHERE s.snapshot IS NOT NULL
       AND NOT EXISTS (SELECT FROM @extschema@.feed f WHERE f.transfer_id = t.id)
    UNION ALL
    SELECT 'versions rise with position',
           'account ' || c.account_id || ' slot ' || c.slot || ' version ' || c.account_version,
           'at position ' || c.position || ', after version ' || c.previous
      FROM (SELECT e.account_id, e.slot, e.account_version, f.position,
                   lag(e.account_version) OVER (PARTITION BY e.account_id, e.slot
                                                ORDER BY f.position) AS previous
              FROM @extschema@.entries e
              JOIN @extschema@.feed f ON f.transfer_id = e.transfer_id) c
     WHERE c.account_version <= c.previous
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

-------------------------------------------------------------------------------
-- The change feed's functions
-------------------------------------------------------------------------------

-- `snap` with `xact` still running: a tick's own transaction commits after the tick, so the
-- snapshot the tick stores must not count it as committed.
CREATE FUNCTION @extschema@.feed_snapshot_without(snap pg_snapshot, xact bigint)
RETURNS pg_snapshot
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE
        WHEN xact >= pg_snapshot_xmax(snap)::text::bigint
          OR NOT pg_visible_in_snapshot(xact::text::xid8, snap) THEN snap
        ELSE (least(pg_snapshot_xmin(snap)::text::bigint, xact) || ':'
              || pg_snapshot_xmax(snap)::text || ':'
              || (SELECT string_agg(x::text, ',' ORDER BY x)
                    FROM (SELECT r::text::bigint FROM pg_snapshot_xip(snap) r
                          UNION SELECT xact) AS u(x)))::pg_snapshot
    END
$$;

-- What a tick would sequence now: the transfers this snapshot sees committed and `snap` did not.
-- STABLE, so that it reads with its caller's snapshot. The query is planned for the snapshot's
-- values (a parameter would get a generic plan that reads every transfer): the block range index
-- on xact_id then reads only the ranges that can hold them.
CREATE FUNCTION @extschema@.feed_unsequenced(snap pg_snapshot, floor bigint)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    running text;
BEGIN
    IF snap IS NULL THEN
        RETURN QUERY SELECT t.id FROM @extschema@.transfers t WHERE t.id > floor;
        RETURN;
    END IF;
    SELECT string_agg(' OR t.xact_id = ' || x::text, '' ORDER BY x) INTO running
      FROM pg_snapshot_xip(snap) AS x;
    RETURN QUERY EXECUTE format(
        'SELECT t.id FROM @extschema@.transfers t WHERE (t.xact_id >= %s%s)%s',
        pg_snapshot_xmax(snap)::text, coalesce(running, ''),
        CASE WHEN floor > 0 THEN ' AND t.id > ' || floor ELSE '' END);
END
$$;

-- Appends `fresh` (ascending transfer ids) at the positions after the state's last, stores the
-- snapshot they were found with (this transaction counted as running) and the id floor, and
-- notifies ledger_feed when it added any. Returns the last position.
CREATE FUNCTION @extschema@.feed_append(state @extschema@.feed_state, fresh bigint[],
                                        seen pg_snapshot, own bigint, cluster bigint, floor bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    last bigint := state.last_position + cardinality(fresh);
BEGIN
    INSERT INTO @extschema@.feed (position, transfer_id)
    SELECT state.last_position + f.n, f.id FROM unnest(fresh) WITH ORDINALITY AS f(id, n);
    UPDATE @extschema@.feed_state
       SET last_position = last,
           snapshot = @extschema@.feed_snapshot_without(seen, own),
           system_identifier = cluster,
           resync_floor = floor,
           ticked_at = statement_timestamp()
     WHERE only_row;
    IF cardinality(fresh) > 0 THEN
        PERFORM pg_notify('ledger_feed', last::text);
    END IF;
    RETURN last;
END
$$;

-- The sequencer. Appends, at positions last + 1, last + 2, ... in transfer-id order, the
-- transfers that the statement's snapshot sees committed and the last tick's did not: those of
-- transactions that were running then (looked up one by one, however old) or began since (a
-- range). Ticks take turns on feed_state's row and store their snapshot for the next one, so a
-- tick never waits for a running transaction and never skips one that commits later.
CREATE FUNCTION @extschema@.feed_sequence(wait boolean) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    state @extschema@.feed_state;
    own bigint;
    cluster bigint := (SELECT system_identifier FROM pg_control_system());
    fresh bigint[];
    seen pg_snapshot;
BEGIN
    IF pg_is_in_recovery() OR current_setting('transaction_read_only')::boolean THEN
        RAISE EXCEPTION 'the feed is sequenced only in a read-write transaction on the primary'
              USING ERRCODE = 'read_only_sql_transaction',
                    HINT = 'A standby has the primary''s feed: read it with changes().';
    END IF;
    own := @extschema@.current_xact_id();
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'the feed is sequenced only under READ COMMITTED, not %',
                        upper(current_setting('transaction_isolation'))
              USING ERRCODE = 'LG201',
                    HINT = 'Call feed_tick() in a READ COMMITTED transaction, or on its own.';
    END IF;
    -- Its transfers would be sequenced before they commit, or never: the stored snapshot
    -- counts this transaction as running.
    IF EXISTS (SELECT FROM @extschema@.transfers t WHERE t.xact_id = own) THEN
        RAISE EXCEPTION 'the feed cannot be sequenced in a transaction that made transfers'
              USING ERRCODE = 'LG202',
                    HINT = 'Call feed_tick() before the transfers, or in a transaction of its own.';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.feed_state) THEN
        -- The first tick makes the row; one that waits for it to commit is waiting for a tick.
        IF wait THEN
            PERFORM pg_advisory_xact_lock('@extschema@.feed_state'::regclass::oid::bigint);
        ELSIF NOT pg_try_advisory_xact_lock('@extschema@.feed_state'::regclass::oid::bigint) THEN
            RETURN NULL;
        END IF;
        INSERT INTO @extschema@.feed_state DEFAULT VALUES ON CONFLICT DO NOTHING;
    END IF;
    IF wait THEN
        SELECT * INTO state FROM @extschema@.feed_state FOR UPDATE;
    ELSE
        SELECT * INTO state FROM @extschema@.feed_state FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            RETURN NULL;  -- another tick is running
        END IF;
    END IF;
    -- The row stays locked to the end of the transaction: prepared, it would stop every tick
    -- until COMMIT PREPARED, across restarts.
    PERFORM @extschema@.feed_forbid_prepare();
    -- A restore in progress (the feed loaded, its state or the transfers not yet), or a feed
    -- changed by hand: sequencing now would reuse positions or skip transfers.
    IF state.last_position <> coalesce((SELECT max(f.position) FROM @extschema@.feed f), 0) THEN
        RAISE EXCEPTION 'the feed ends at position %, its state at %',
                        coalesce((SELECT max(f.position) FROM @extschema@.feed f), 0),
                        state.last_position
              USING ERRCODE = 'LG207',
                    HINT = 'Tick again once a restore has finished; otherwise see ledger.verify().';
    END IF;
    PERFORM @extschema@.feed_summarize();
    IF state.snapshot IS NOT NULL AND state.system_identifier IS DISTINCT FROM cluster THEN
        RETURN @extschema@.feed_resync(state, own, cluster);
    END IF;
    -- One statement, so that the rows it finds and the snapshot it stores are the same.
    SELECT coalesce(array_agg(u.id ORDER BY u.id), '{}'), pg_current_snapshot()
      INTO fresh, seen
      FROM @extschema@.feed_unsequenced(state.snapshot, state.resync_floor) AS u(id);
    RETURN @extschema@.feed_append(state, fresh, seen, own, cluster, state.resync_floor);
END
$$;

-- Makes PREPARE TRANSACTION refuse (LG208) a transaction that has ticked.
CREATE FUNCTION @extschema@.feed_forbid_prepare() RETURNS void
AS 'MODULE_PATHNAME', 'ledger_feed_forbid_prepare' LANGUAGE C VOLATILE;

-- Keeps the block range indexes the feed reads through short of unsummarized pages (which every
-- lookup would scan), without waiting for a VACUUM that holds them: that one summarizes too.
CREATE FUNCTION @extschema@.feed_summarize() RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET lock_timeout = '10ms' AS $$
BEGIN
    PERFORM brin_summarize_new_values('@extschema@.transfers_xact'::regclass),
            brin_summarize_new_values('@extschema@.entries_transfer'::regclass);
EXCEPTION WHEN lock_not_available THEN
    NULL;
END
$$;

-- After a restore into another cluster (or pg_upgrade) the stored snapshot and the transfers'
-- transaction ids belong to the old cluster. Once, with writers held off: every transfer
-- without a position gets one in id order, and later ticks look only above the highest id.
CREATE FUNCTION @extschema@.feed_resync(state @extschema@.feed_state, own bigint, cluster bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET lock_timeout = '1s' AS $$
DECLARE
    fresh bigint[];
    seen pg_snapshot;
    floor bigint;
BEGIN
    -- Writers, and calls that have drawn transfer ids, hold ROW EXCLUSIVE: wait for them, for a
    -- second at most (new writers queue meanwhile); a later tick tries again.
    LOCK TABLE @extschema@.transfers IN SHARE MODE;
    IF NOT EXISTS (SELECT FROM @extschema@.transfers) AND EXISTS (SELECT FROM @extschema@.feed) THEN
        RAISE EXCEPTION 'the feed has positions but ledger.transfers is empty'
              USING ERRCODE = 'LG207', HINT = 'Tick again once the restore has finished.';
    END IF;
    -- No writer runs now: every transfer is committed (or this transaction's own).
    SELECT coalesce(array_agg(t.id ORDER BY t.id), '{}'), pg_current_snapshot()
      INTO fresh, seen
      FROM @extschema@.transfers t
     WHERE NOT EXISTS (SELECT FROM @extschema@.feed f WHERE f.transfer_id = t.id);
    floor := (SELECT coalesce(max(t.id), 0) FROM @extschema@.transfers t);
    RETURN @extschema@.feed_append(state, fresh, seen, own, cluster, floor);
END
$$;

CREATE FUNCTION @extschema@.feed_tick() RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN @extschema@.feed_sequence(true);

-- NULL, at once, when another tick is running.
CREATE FUNCTION @extschema@.feed_try_tick() RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN @extschema@.feed_sequence(false);

-- Raises 22004 (NULL) or 22023 (negative) for an argument of the feed's readers.
CREATE FUNCTION @extschema@.feed_argument_error(argument text, value text) RETURNS int
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF value IS NULL THEN
        RAISE EXCEPTION '% must not be NULL', argument USING ERRCODE = 'null_value_not_allowed';
    END IF;
    RAISE EXCEPTION '% must be 0 or more, not %', argument, value
          USING ERRCODE = 'invalid_parameter_value';
END
$$;

-- The feed after a position: each sequenced transfer with its entries. Read-only, so it runs on
-- a hot standby too; with the caller's rights (SELECT on feed, transfers and entries).
CREATE FUNCTION @extschema@.changes(after_position bigint DEFAULT 0, max_rows int DEFAULT 100)
RETURNS TABLE ("position" bigint, transfer_id bigint, from_account bigint, to_account bigint,
               amount @extschema@.monetary, idempotency_key text, metadata jsonb,
               created_at timestamptz, entries jsonb)
LANGUAGE sql STABLE PARALLEL SAFE
-- Entries are found through a block range index, whose every lookup reads the whole index: the
-- batch looks them up once per run of nearby transfer ids (a late commit starts a run of its
-- own), not once per transfer. enable_seqscan: a planner without statistics on entries yet (a
-- busy new ledger before its first ANALYZE) would read the whole table per run. jit: the plan
-- is generic, its estimates large, and compiling it would cost a call a hundred times more
-- than running it.
SET search_path = pg_catalog, pg_temp SET enable_seqscan = off SET jit = off AS $$
    -- The arguments are checked first, on their own: inside the query a check would hide the
    -- position's bound from the index, and would not run at all on an empty feed.
    SELECT @extschema@.feed_argument_error('after_position', NULL) WHERE after_position IS NULL
    UNION ALL
    SELECT @extschema@.feed_argument_error('max_rows', max_rows::text)
     WHERE max_rows IS NULL OR max_rows < 0;
    WITH batch AS MATERIALIZED (
        SELECT f.position, t.id, t.from_account, t.to_account, t.amount, t.idempotency_key,
               t.metadata, t.created_at
          FROM @extschema@.feed f
          JOIN @extschema@.transfers t ON t.id = f.transfer_id
         WHERE f.position > after_position
         ORDER BY f.position
         LIMIT max_rows),
    -- Ids less than 64 apart share a run: what lies between them is read and dropped.
    runs AS (
        SELECT min(r.id) AS low, max(r.id) AS high
          FROM (SELECT g.id, sum(g.starts) OVER (ORDER BY g.id) AS run
                  FROM (SELECT b.id, (coalesce(b.id - lag(b.id) OVER (ORDER BY b.id), 0) >= 64)::int
                                     AS starts
                          FROM batch b) g) r
         GROUP BY r.run),
    grouped AS (
        SELECT e.transfer_id,
               jsonb_agg(jsonb_build_object(
                   'account', e.account_id, 'slot', e.slot, 'version', e.account_version,
                   'amount', e.amount::text, 'balance_after', e.balance_after::text)
                   ORDER BY @extschema@.amount(e.amount) > 0, e.account_id, e.slot) AS entries
          FROM runs
          -- OFFSET 0 keeps the lookup per run: without it, the planner (once entries has
          -- statistics) joins the batch's ids into it and looks up each transfer on its own.
          JOIN LATERAL (SELECT * FROM @extschema@.entries x
                         WHERE x.transfer_id BETWEEN runs.low AND runs.high OFFSET 0) e ON true
         WHERE e.transfer_id IN (SELECT b.id FROM batch b)
         GROUP BY e.transfer_id)
    SELECT b.position, b.id, b.from_account, b.to_account, b.amount, b.idempotency_key,
           b.metadata, b.created_at, g.entries
      FROM batch b LEFT JOIN grouped g ON g.transfer_id = b.id
     ORDER BY b.position
$$;

CREATE FUNCTION @extschema@.create_consumer(consumer text, start_position bigint DEFAULT 0)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    last bigint := coalesce((SELECT s.last_position FROM @extschema@.feed_state s), 0);
BEGIN
    IF consumer IS NULL OR start_position IS NULL THEN
        RAISE EXCEPTION 'create_consumer needs a consumer name and a start position'
              USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF consumer = '' OR octet_length(consumer) > 255 THEN
        RAISE EXCEPTION 'a consumer name has 1 to 255 bytes, not %', octet_length(consumer)
              USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF start_position < 0 OR start_position > last THEN
        RAISE EXCEPTION 'start position % is outside the feed, which ends at position %',
                        start_position, last
              USING ERRCODE = 'LG204';
    END IF;
    INSERT INTO @extschema@.feed_consumers AS c (consumer, position)
    VALUES (create_consumer.consumer, start_position) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'consumer "%" already exists', consumer USING ERRCODE = 'LG205';
    END IF;
END
$$;

CREATE FUNCTION @extschema@.drop_consumer(consumer text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM @extschema@.feed_consumers c WHERE c.consumer = drop_consumer.consumer;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'consumer "%" does not exist', consumer USING ERRCODE = 'LG203';
    END IF;
END
$$;

-- The changes after the consumer's position, its cursor row locked to the end of the caller's
-- transaction. With skip_locked, a cursor another session holds gives no rows at once.
CREATE FUNCTION @extschema@.feed_next(consumer text, max_rows int DEFAULT 100,
                                      skip_locked boolean DEFAULT false)
RETURNS TABLE ("position" bigint, transfer_id bigint, from_account bigint, to_account bigint,
               amount @extschema@.monetary, idempotency_key text, metadata jsonb,
               created_at timestamptz, entries jsonb)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    at bigint;
BEGIN
    IF consumer IS NULL OR max_rows IS NULL OR skip_locked IS NULL THEN
        RAISE EXCEPTION 'feed_next needs a consumer, max_rows and skip_locked'
              USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF skip_locked THEN
        SELECT c.position INTO at FROM @extschema@.feed_consumers c
         WHERE c.consumer = feed_next.consumer FOR UPDATE SKIP LOCKED;
    ELSE
        SELECT c.position INTO at FROM @extschema@.feed_consumers c
         WHERE c.consumer = feed_next.consumer FOR UPDATE;
    END IF;
    IF at IS NULL THEN
        IF skip_locked AND EXISTS (SELECT FROM @extschema@.feed_consumers c
                                    WHERE c.consumer = feed_next.consumer) THEN
            RETURN;
        END IF;
        RAISE EXCEPTION 'consumer "%" does not exist', consumer
              USING ERRCODE = 'LG203', HINT = 'Create it with ledger.create_consumer().';
    END IF;
    RETURN QUERY SELECT * FROM @extschema@.changes(at, max_rows);
END
$$;

-- Moves the consumer's cursor from expected_position to new_position, in the caller's
-- transaction: the consumer's own writes and its cursor commit together, or neither does.
CREATE FUNCTION @extschema@.feed_ack(consumer text, expected_position bigint, new_position bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    at bigint;
    last bigint := coalesce((SELECT s.last_position FROM @extschema@.feed_state s), 0);
BEGIN
    IF consumer IS NULL OR expected_position IS NULL OR new_position IS NULL THEN
        RAISE EXCEPTION 'feed_ack needs a consumer, the expected position and the new one'
              USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT c.position INTO at FROM @extschema@.feed_consumers c
     WHERE c.consumer = feed_ack.consumer FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'consumer "%" does not exist', consumer USING ERRCODE = 'LG203';
    END IF;
    IF at <> expected_position THEN
        RAISE EXCEPTION 'consumer "%" is at position %, not %', consumer, at, expected_position
              USING ERRCODE = 'LG206',
                    HINT = 'Another instance moved it: read again from its position.';
    END IF;
    IF new_position < expected_position OR new_position > last THEN
        RAISE EXCEPTION 'position % is outside % to %, the positions consumer "%" may move to',
                        new_position, expected_position, last, consumer
              USING ERRCODE = 'LG204';
    END IF;
    UPDATE @extschema@.feed_consumers c SET position = new_position, updated_at = now()
     WHERE c.consumer = feed_ack.consumer;
END
$$;

-- How far the feed is behind: its last position and tick, how many committed transfers no tick
-- has sequenced yet, and the oldest transaction that has written and is still open, or prepared
-- (it delays only its own transfers' positions).
CREATE FUNCTION @extschema@.feed_lag()
RETURNS TABLE (last_position bigint, last_tick timestamptz, unsequenced bigint,
               oldest_xact_pid int, oldest_xact_age interval, oldest_xact_gid text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(s.last_position, 0), s.ticked_at,
           (SELECT count(*) FROM @extschema@.feed_unsequenced(s.snapshot, coalesce(s.resync_floor, 0))),
           o.pid, statement_timestamp() - o.began, o.gid
      FROM (SELECT 1) AS one
      LEFT JOIN @extschema@.feed_state s ON true
      -- A prepared transaction has no backend; its age counts from its PREPARE.
      LEFT JOIN LATERAL (SELECT w.pid, w.began, w.gid
                           FROM (SELECT a.pid, a.xact_start AS began, NULL::text AS gid
                                   FROM pg_stat_activity a
                                  WHERE a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid()
                                 UNION ALL
                                 SELECT NULL, p.prepared, p.gid FROM pg_prepared_xacts p) w
                          ORDER BY w.began LIMIT 1) o ON true
$$;

REVOKE ALL ON FUNCTION @extschema@.feed_sequence(boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.feed_append(@extschema@.feed_state, bigint[], pg_snapshot, bigint, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.feed_summarize() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.feed_forbid_prepare() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.feed_resync(@extschema@.feed_state, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.feed_tick() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.feed_try_tick() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.create_consumer(text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.drop_consumer(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.feed_next(text, int, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.feed_ack(text, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.feed_lag() FROM PUBLIC;
