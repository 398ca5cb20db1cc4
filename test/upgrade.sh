#!/usr/bin/env bash
# The upgrade convention holds: every shipped version's install script (ledger--V.sql) has a chain of
# update scripts (ledger--A--B.sql) to the control file's default_version, and installing V then
# running ALTER EXTENSION ledger UPDATE gives the same catalog as a fresh install, object for object
# (definitions, privileges, constraints, triggers, indexes), and keeps every value: registered
# currencies, accounts, balances, transfers and entries made before the update, and the user's
# own table, index and view over ledger.monetary. Runs inside scripts/with-cluster; prints TAP.
set -euo pipefail
cd "$(dirname "$0")/.."
database=ledger_upgrade
sql() { psql -qXAt -v ON_ERROR_STOP=1 -d "$database" -c "$1"; }

default_version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" ledger.control)
shipped_versions=$(ls ledger--*.sql | sed -n 's/^ledger--\([^-]*\)\.sql$/\1/p' | sort -V)

# Everything the extension owns, described so that any difference in definition shows.
catalog_query=$(
    cat <<'SQL'
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'ledger'),
members AS (
    SELECT classid, objid, objsubid FROM pg_depend
     WHERE refclassid = 'pg_extension'::regclass AND refobjid = (SELECT oid FROM ext)
       AND deptype = 'e')
SELECT string_agg(line, E'\n' ORDER BY line) FROM (
    SELECT pg_describe_object(classid, objid, objsubid) AS line FROM members
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid))
           || ' acl ' || coalesce(p.proacl::text, 'default')
      FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
     WHERE p.prokind <> 'a'
    UNION ALL
    SELECT 'aggregate ' || a.aggfnoid::regprocedure || ' ' || concat_ws(',', a.aggkind,
           a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
           a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn, a.aggfinalextra, a.aggfinalmodify,
           a.aggsortop::regoperator, a.aggtranstype::regtype, a.aggtransspace, a.agginitval)
      FROM pg_aggregate a JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = a.aggfnoid
    UNION ALL
    SELECT 'operator ' || o.oid::regoperator || ' ' || concat_ws(',', o.oprcode::regprocedure,
           o.oprcom::regoperator, o.oprnegate::regoperator, o.oprrest, o.oprjoin, o.oprcanmerge,
           o.oprcanhash)
      FROM pg_operator o JOIN members m ON m.classid = 'pg_operator'::regclass AND m.objid = o.oid
    UNION ALL
    SELECT 'opclass ' || c.opcname || ' ' || am.amname || ' for ' || c.opcintype::regtype
           || ' default ' || c.opcdefault || ' family ' || f.opfname
      FROM pg_opclass c JOIN pg_am am ON am.oid = c.opcmethod
      JOIN pg_opfamily f ON f.oid = c.opcfamily WHERE c.opcnamespace = 'ledger'::regnamespace
    UNION ALL
    SELECT 'amop ' || f.opfname || ' ' || a.amopstrategy || ' ' || a.amopopr::regoperator || ' '
           || a.amoppurpose::text || ' ' || a.amopsortfamily
      FROM pg_amop a JOIN pg_opfamily f ON f.oid = a.amopfamily
     WHERE f.opfnamespace = 'ledger'::regnamespace
    UNION ALL
    SELECT 'amproc ' || f.opfname || ' ' || p.amprocnum || ' ' || p.amproc::regprocedure
      FROM pg_amproc p JOIN pg_opfamily f ON f.oid = p.amprocfamily
     WHERE f.opfnamespace = 'ledger'::regnamespace
    UNION ALL
    SELECT 'cast ' || c.castsource::regtype || ' -> ' || c.casttarget::regtype || ' '
           || concat_ws(',', c.castfunc::regprocedure, c.castcontext, c.castmethod)
      FROM pg_cast c JOIN members m ON m.classid = 'pg_cast'::regclass AND m.objid = c.oid
    UNION ALL
    SELECT 'type ' || t.oid::regtype || ' ' || concat_ws(',', t.typtype, t.typlen, t.typbyval,
           t.typalign, t.typstorage, t.typcategory, t.typispreferred, t.typinput, t.typoutput,
           t.typreceive, t.typsend, t.typmodin, t.typmodout, t.typanalyze, t.typelem::regtype,
           t.typarray::regtype, t.typcollation)
      FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
    UNION ALL
    SELECT 'enum ' || enumtypid::regtype || ' ' || string_agg(enumlabel, ',' ORDER BY enumsortorder)
      FROM pg_enum WHERE enumtypid IN (SELECT objid FROM members WHERE classid = 'pg_type'::regclass)
     GROUP BY enumtypid
    UNION ALL
    SELECT 'sequence ' || s.seqrelid::regclass || ' ' || concat_ws(',', s.seqtypid::regtype,
           s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle)
      FROM pg_sequence s JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = s.seqrelid
    UNION ALL
    SELECT 'comment ' || pg_describe_object(d.classoid, d.objoid, d.objsubid) || ' ' || d.description
      FROM pg_description d JOIN members m ON m.classid = d.classoid AND m.objid = d.objoid
    UNION ALL
    SELECT 'dumped with data ' || coalesce(string_agg(config::regclass || ' ' || condition, ', '
                                                      ORDER BY config::regclass::text), 'none')
      FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(config, condition)
     WHERE e.extname = 'ledger'
    UNION ALL
    SELECT 'relation ' || c.oid::regclass || ' ' || c.relkind::text || ' acl '
           || coalesce(c.relacl::text, 'default') || ' columns ' || string_agg(
               a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
               || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
               || CASE WHEN a.attcollation <> 0 THEN ' collate ' || a.attcollation ELSE '' END
               || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', '
               ORDER BY a.attnum)
      FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     GROUP BY c.oid, c.relkind, c.relacl
    UNION ALL
    SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'ledger'::regnamespace
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index
     WHERE indrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
    UNION ALL
    SELECT 'trigger ' || pg_get_triggerdef(oid) || ' enabled ' || tgenabled::text FROM pg_trigger
     WHERE NOT tgisinternal
       AND tgrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
    UNION ALL
    SELECT 'schema acl ' || coalesce(nspacl::text, 'default') FROM pg_namespace
     WHERE nspname = 'ledger'
) AS described
SQL
)

fresh_catalog() {
    sql "SET client_min_messages = warning; DROP EXTENSION IF EXISTS ledger CASCADE; DROP SCHEMA IF EXISTS ledger CASCADE"
    sql "CREATE EXTENSION ledger"
    sql "$catalog_query"
}

# Data made with an older version, and what must read the same after the update.
make_data() {
    sql "SET search_path = public, ledger;  -- where 1.0 kept the operators and aggregates
         SELECT ledger.create_currency('ETH', 18, 'Ether'), ledger.create_currency('POINTS', 0);
         SELECT ledger.create_account(name, currency) FROM (VALUES ('alice', 'USD'), ('bob', 'USD'),
                ('erika', 'EUR'), ('wallet', 'ETH'), ('loyalty', 'POINTS')) v(name, currency);
         SELECT ledger.deposit(id, CASE currency WHEN 'USD' THEN '100.00 USD' WHEN 'EUR' THEN '7.50 EUR'
                WHEN 'ETH' THEN '0.000000000000000001 ETH' ELSE '250 POINTS' END::ledger.monetary,
                'deposit-' || name)
           FROM ledger.accounts WHERE NOT is_external ORDER BY id;
         SELECT ledger.transfer(a.id, b.id, '12.34 USD', 'pay-1', '{\"order\": 7}')
           FROM ledger.accounts a, ledger.accounts b WHERE a.name = 'alice' AND b.name = 'bob';
         CREATE TABLE public.prices (id int PRIMARY KEY, price ledger.monetary NOT NULL);
         INSERT INTO public.prices SELECT i, ledger.monetary(i, 'USD') FROM generate_series(1, 500) i;
         CREATE INDEX prices_price ON public.prices (price);
         CREATE VIEW public.price_summary AS
             SELECT min(price) AS low, max(price) AS high, sum(price) AS total
               FROM public.prices WHERE price > '10 USD';
         -- Stored queries that sort, group and rank with the operators of the old version.
         CREATE VIEW public.price_shapes AS
             SELECT (SELECT string_agg(price::text, ',' ORDER BY price DESC) FROM public.prices
                      WHERE id < 5) AS sorted,
                    (SELECT count(*) FROM (SELECT DISTINCT price FROM public.prices) d) AS distinct_prices,
                    (SELECT count(*) FROM (SELECT price FROM public.prices GROUP BY price) g) AS groups,
                    (SELECT max(r) FROM (SELECT rank() OVER (ORDER BY price) AS r FROM public.prices) w) AS ranks;
         CREATE FUNCTION public.cheapest() RETURNS SETOF ledger.monetary LANGUAGE sql
             BEGIN ATOMIC SELECT price FROM public.prices ORDER BY price LIMIT 2; END;
         CREATE MATERIALIZED VIEW public.sorted_prices AS SELECT price FROM public.prices ORDER BY price;" >/dev/null
}
data_query="SELECT concat_ws(E'\n',
    (SELECT string_agg(code || ':' || minor_units, ',' ORDER BY code) FROM ledger.custom_currencies),
    (SELECT string_agg(concat_ws('|', a.id, a.name, BALANCE, a.min_balance, a.max_balance, VERSION,
                                 a.is_external), ',' ORDER BY a.id) FROM ACCOUNTS),
    (SELECT string_agg(concat_ws('|', id, from_account, to_account, amount, idempotency_key, metadata),
                       ',' ORDER BY id) FROM ledger.transfers),
    (SELECT string_agg(concat_ws('|', account_id, account_version, transfer_id, amount, balance_after),
                       ',' ORDER BY account_id, account_version) FROM ledger.entries),
    (SELECT string_agg(price::text, ',' ORDER BY id) FROM public.prices),
    (SELECT concat_ws('|', low, high, total) FROM public.price_summary),
    (SELECT concat_ws('|', sorted, distinct_prices, groups, ranks) FROM public.price_shapes)
    || '|' || (SELECT string_agg(c::text, ',') FROM public.cheapest() c))"

# Up to 1.0 an account row kept its balance and version; from 1.1 its slots do (slot 0 keeps the
# version chain of 1.0's accounts).
data_query_of() {
    if [ "$(sql "SELECT to_regclass('ledger.balances') IS NULL")" = t ]; then
        sed -e 's/BALANCE/a.balance/' -e 's/VERSION/a.version/' -e 's/ACCOUNTS/ledger.accounts a/' <<<"$data_query"
    else
        sed -e 's/BALANCE/v.balance/' -e 's/VERSION/b.version/' \
            -e 's/ACCOUNTS/ledger.accounts a JOIN ledger.account_balances v ON v.id = a.id JOIN ledger.balances b ON b.account_id = a.id AND b.slot = 0/' \
            <<<"$data_query"
    fi
}

count=$(($(wc -w <<<"$shipped_versions") * 6 + 4))
echo "1..$count"
psql -qXAt -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database"

expected=$(fresh_catalog)
if [ "$(sql "SELECT extversion FROM pg_extension WHERE extname = 'ledger'")" = "$default_version" ] &&
    [ "$(wc -l <<<"$expected")" -gt 100 ]; then
    echo "ok - a fresh install is at default_version $default_version and owns the whole catalog"
else
    echo "not ok - a fresh install is at default_version $default_version and owns the whole catalog"
fi
notice=$(psql -qXAt -v ON_ERROR_STOP=1 -d "$database" -c "ALTER EXTENSION ledger UPDATE" 2>&1)
if [ "$(sql "$catalog_query")" = "$expected" ] && [[ "$notice" == *"already installed"* ]]; then
    echo "ok - ALTER EXTENSION ledger UPDATE at the newest version changes nothing"
else
    echo "not ok - ALTER EXTENSION ledger UPDATE at the newest version changes nothing"
    echo "# $notice"
fi

for version in $shipped_versions; do
    path=$(sql "SELECT CASE WHEN '$version' = '$default_version' THEN 'none needed' ELSE path END
                  FROM pg_extension_update_paths('ledger')
                 WHERE source = '$version' AND (target = '$default_version' OR source = target)
                 UNION ALL SELECT 'none needed' WHERE '$version' = '$default_version' LIMIT 1")
    if [ -n "$path" ]; then
        echo "ok - version $version has an update path to $default_version ($path)"
    else
        echo "not ok - version $version has an update path to $default_version"
    fi
    sql "SET client_min_messages = warning; DROP EXTENSION ledger CASCADE;
         DROP SCHEMA IF EXISTS ledger CASCADE; DROP TABLE IF EXISTS public.prices CASCADE;
         DROP FUNCTION IF EXISTS public.cheapest()"
    sql "CREATE EXTENSION ledger VERSION '$version'"
    make_data
    before=$(sql "$(data_query_of)")
    sql "SET client_min_messages = warning; ALTER EXTENSION ledger UPDATE"
    upgraded=$(sql "$catalog_query")
    if [ "$upgraded" = "$expected" ]; then
        echo "ok - installing $version and updating gives the catalog of a fresh install"
    else
        echo "not ok - installing $version and updating gives the catalog of a fresh install"
        diff <(echo "$expected") <(echo "$upgraded") | sed 's/^/# /' | head -n 20
    fi
    after=$(sql "$(data_query_of)")
    if [ "$before" = "$after" ] && [ "$(wc -l <<<"$after")" -eq 7 ]; then
        echo "ok - updating from $version keeps every currency, balance, transfer, entry and user value"
    else
        echo "not ok - updating from $version keeps every currency, balance, transfer, entry and user value"
        diff <(echo "$before") <(echo "$after") | sed 's/^/# /' | head -n 20
    fi
    # After the update: the ledger verifies and moves money, registered currencies read and depend
    # on the extension, and the user's index serves a range within one currency.
    sql "REFRESH MATERIALIZED VIEW public.sorted_prices"  # runs its stored sort again
    sql "SELECT ledger.split_account(id, 4) FROM ledger.accounts WHERE name = 'alice'" >/dev/null
    checks=$(sql "SELECT concat_ws('|', (SELECT count(*) FROM ledger.verify()),
                      ledger.transfer(b.id, a.id, '1.00 USD', 'after-update') > 0,
                      '1 ETH'::ledger.monetary + '0.000000000000000001 ETH',
                      (SELECT string_agg(DISTINCT deptype::text, ',') FROM pg_depend d JOIN pg_proc p
                          ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                       WHERE p.proname LIKE 'currency:%' AND d.refclassid = 'pg_extension'::regclass),
                      (SELECT count(*) FROM public.prices WHERE price ~>=~ '10 USD' AND price ~<~ '20 USD'),
                      (SELECT count(*) FROM ledger.verify()),
                      (SELECT count(*) FROM public.sorted_prices),
                      (SELECT string_agg(DISTINCT slots::text, ',') FROM ledger.balances WHERE is_external),
                      ledger.balance(a.id))
                    FROM ledger.accounts a, ledger.accounts b WHERE a.name = 'alice' AND b.name = 'bob'")
    expected_checks="0|t|1.000000000000000001 ETH|x|10|0|500|16|87.66 USD"
    if [ "$checks" = "$expected_checks" ]; then
        echo "ok - after updating from $version the ledger verifies, moves money and reads its currencies"
    else
        echo "not ok - after updating from $version the ledger verifies, moves money and reads its currencies"
        echo "# expected $expected_checks, got $checks"
    fi
    # An index built before the update has the default class, now in the total order.
    plan=$(sql "SET enable_seqscan = off; EXPLAIN (COSTS OFF)
                SELECT count(*) FROM public.prices WHERE price ~>=~ '10 USD' AND price ~<~ '20 USD'")
    if [[ "$plan" == *prices_price* ]] && [[ "$plan" == *"Index Cond"* ]]; then
        echo "ok - after updating from $version an index built before the update serves range scans"
    else
        echo "not ok - after updating from $version an index built before the update serves range scans"
        echo "$plan" | sed 's/^/# /'
    fi
    # The feed's first tick sequences every transfer, those made before the update from 1.0
    # (xact_id 0) included, in id order; a transfer after it is sequenced by the next.
    first=$(sql "SELECT concat_ws('|',
                     ((SELECT count(*) FROM ledger.transfers WHERE xact_id = 0) > 0) = ('$version' = '1.0'),
                     ledger.feed_tick() = (SELECT count(*) FROM ledger.transfers))")
    first="$first|$(sql "SELECT bool_and(f.transfer_id = t.id) FROM ledger.feed f
                           JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM ledger.transfers) t
                             ON t.n = f.position")"
    sql "SELECT ledger.transfer(a.id, b.id, '1.00 USD', 'after-feed')
           FROM ledger.accounts a, ledger.accounts b WHERE a.name = 'alice' AND b.name = 'bob'" >/dev/null
    feed="$first|$(sql "SELECT concat_ws('|', ledger.feed_tick() = (SELECT count(*) FROM ledger.transfers),
                            (SELECT count(*) FROM ledger.verify()))")"
    if [ "$feed" = "t|t|t|t|0" ]; then
        echo "ok - after updating from $version the feed's first tick sequences every transfer in id order"
    else
        echo "not ok - after updating from $version the feed's first tick sequences every transfer in id order"
        echo "# expected t|t|t|t|0, got $feed"
    fi
done

# Row comparisons that 1.0 stored (here in a CHECK constraint and a rule's condition), then a view
# and a policy over the
# columns whose collation 1.1 changes, stop the update with errors that name them; nothing
# changes until the DBA drops them.
sql "SET client_min_messages = warning; DROP EXTENSION ledger CASCADE; DROP SCHEMA IF EXISTS ledger CASCADE"
sql "CREATE EXTENSION ledger VERSION '1.0';
     SET search_path = public, ledger;
     CREATE VIEW public.account_names AS SELECT id, name FROM ledger.accounts;
     CREATE POLICY own_account ON ledger.accounts USING (name = current_user);
     CREATE TABLE public.bounds (low ledger.monetary, id int,
                                 CHECK ((low, id) > ('0 USD'::ledger.monetary, 0)));
     CREATE TABLE public.big_bounds (LIKE public.bounds);
     CREATE RULE copy_big AS ON INSERT TO public.bounds
         WHERE (NEW.low, NEW.id) > ('100 USD'::ledger.monetary, 0)
         DO ALSO INSERT INTO public.big_bounds VALUES (NEW.low, NEW.id)"
refusal=$(psql -qXAt -d "$database" -c "ALTER EXTENSION ledger UPDATE" 2>&1 || true)
sql "DROP TABLE public.bounds, public.big_bounds"
row_refusal=$(psql -qXAt -d "$database" -c "ALTER EXTENSION ledger UPDATE" 2>&1 || true)
version=$(sql "SELECT extversion FROM pg_extension WHERE extname = 'ledger'")
sql "DROP VIEW public.account_names; DROP POLICY own_account ON ledger.accounts;
     ALTER EXTENSION ledger UPDATE"
if [[ "$refusal" == *"constraint bounds_check on table public.bounds"* ]] &&
    [[ "$refusal" == *"rule copy_big on table public.bounds"* ]] &&
    [[ "$row_refusal" == *"view public.account_names"* ]] && [[ "$row_refusal" == *"policy own_account"* ]] &&
    [ "$version" = "1.0" ] &&
    [ "$(sql "SELECT extversion FROM pg_extension WHERE extname = 'ledger'")" = "$default_version" ]; then
    echo "ok - a stored row comparison, then a view and a policy over accounts.name stop the update, named"
else
    echo "not ok - a stored row comparison, then a view and a policy over accounts.name stop the update, named"
    echo "# $refusal / $row_refusal (version $version)"
fi

# A view of the user's that reads 1.0's accounts.balance stops the update, which names it and
# changes nothing: the view reads ledger.account_balances from 1.1 on.
sql "SET client_min_messages = warning; DROP EXTENSION ledger CASCADE;
     DROP SCHEMA IF EXISTS ledger CASCADE; DROP TABLE IF EXISTS public.prices CASCADE;
     DROP FUNCTION IF EXISTS public.cheapest()"
sql "CREATE EXTENSION ledger VERSION '1.0'"
sql "CREATE VIEW public.old_balances AS SELECT name, balance FROM ledger.accounts"
refusal=$(psql -qXAt -d "$database" -c "ALTER EXTENSION ledger UPDATE" 2>&1 || true)
if [[ "$refusal" == *old_balances* ]] &&
    [ "$(sql "SELECT extversion FROM pg_extension WHERE extname = 'ledger'")" = 1.0 ]; then
    echo "ok - a view over 1.0's accounts.balance stops the update, named, and nothing changes"
else
    echo "not ok - a view over 1.0's accounts.balance stops the update, named, and nothing changes"
    echo "# $refusal"
fi
