-- The catalog surface of ledger.monetary: the type, its functions, operators, operator classes,
-- aggregates and casts, with their volatility and parallel markings.
BEGIN;
-- Names below are schema-qualified: ledger is deliberately not on the path.
SET LOCAL search_path = public;
SELECT plan(41);

SELECT has_type('ledger', 'monetary', 'ledger.monetary exists');
SELECT is((SELECT typlen::int FROM pg_type WHERE oid = 'ledger.monetary'::regtype), 24,
          'monetary is 24 bytes');
SELECT is((SELECT typbyval FROM pg_type WHERE oid = 'ledger.monetary'::regtype), false,
          'monetary is passed by reference');
SELECT is((SELECT typalign::text FROM pg_type WHERE oid = 'ledger.monetary'::regtype), 'd',
          'monetary needs no more than 8-byte alignment');
SELECT ok((SELECT typreceive <> 0 AND typsend <> 0 FROM pg_type
           WHERE oid = 'ledger.monetary'::regtype), 'monetary has binary I/O');
SELECT has_type('ledger', 'rounding_mode', 'ledger.rounding_mode exists');
SELECT is(enum_range(NULL::ledger.rounding_mode)::text[],
          ARRAY['half_even', 'half_up', 'half_down', 'up', 'down', 'ceiling', 'floor'],
          'rounding modes');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'ledger'), false,
          'the extension is not relocatable');

-- Operators, with what they return: all in pg_catalog, so that every search_path finds them.
SELECT results_eq(
    $$SELECT oprname::text COLLATE "default", oprleft::regtype::text, oprright::regtype::text,
             oprresult::regtype::text, oprcanhash, oprcanmerge
        FROM pg_operator
       WHERE 'ledger.monetary'::regtype IN (oprleft, oprright)
         AND oprnamespace = 'pg_catalog'::regnamespace ORDER BY 1, 2, 3$$,
    $$VALUES ('*', 'bigint', 'ledger.monetary', 'ledger.monetary', false, false),
             ('*', 'ledger.monetary', 'bigint', 'ledger.monetary', false, false),
             ('+', 'ledger.monetary', 'ledger.monetary', 'ledger.monetary', false, false),
             ('-', '-', 'ledger.monetary', 'ledger.monetary', false, false),
             ('-', 'ledger.monetary', 'ledger.monetary', 'ledger.monetary', false, false),
             ('/', 'ledger.monetary', 'ledger.monetary', 'numeric', false, false),
             ('<', 'ledger.monetary', 'ledger.monetary', 'boolean', false, false),
             ('<=', 'ledger.monetary', 'ledger.monetary', 'boolean', false, false),
             ('<>', 'ledger.monetary', 'ledger.monetary', 'boolean', false, false),
             ('=', 'ledger.monetary', 'ledger.monetary', 'boolean', true, true),
             ('>', 'ledger.monetary', 'ledger.monetary', 'boolean', false, false),
             ('>=', 'ledger.monetary', 'ledger.monetary', 'boolean', false, false),
             ('~<=~', 'ledger.monetary', 'ledger.monetary', 'boolean', false, false),
             ('~<~', 'ledger.monetary', 'ledger.monetary', 'boolean', false, false),
             ('~>=~', 'ledger.monetary', 'ledger.monetary', 'boolean', false, false),
             ('~>~', 'ledger.monetary', 'ledger.monetary', 'boolean', false, false)$$,
    'the operators of monetary');
SELECT results_eq(
    $$SELECT oprname::text COLLATE "default", oprcanhash, oprcanmerge FROM pg_operator
       WHERE oprnamespace = 'ledger'::regnamespace$$,
    $$VALUES ('=', false, false)$$,
    'schema ledger keeps one operator: the comparison class''s equality, which no join plans with');
SELECT has_operator('ledger.monetary', 'pg_catalog', '=', 'ledger.monetary', 'boolean', 'has =');
SELECT has_operator('ledger.monetary', 'pg_catalog', '<', 'ledger.monetary', 'boolean', 'has <');
SELECT has_leftop('pg_catalog', '-', 'ledger.monetary', 'ledger.monetary', 'has unary -');
SELECT is_empty(
    $$SELECT oprname FROM pg_operator
       WHERE oprleft = 'ledger.monetary'::regtype AND oprname IN ('<', '<=', '>', '>=', '~<~', '~<=~', '~>=~', '~>~')
         AND (oprcom = 0 OR oprnegate = 0 OR oprrest = 0 OR oprjoin = 0)$$,
    'ordering operators have commutators, negators and selectivity estimators');
SELECT results_eq(
    $$SELECT oprname::text COLLATE "default", oprrest::text FROM pg_operator
       WHERE oprleft = 'ledger.monetary'::regtype AND oprname IN ('<', '<=', '>', '>=') ORDER BY 1$$,
    $$VALUES ('<', 'ledger.monetary_inequality_sel'), ('<=', 'ledger.monetary_inequality_sel'),
             ('>', 'ledger.monetary_inequality_sel'), ('>=', 'ledger.monetary_inequality_sel')$$,
    'the raising comparisons estimate with the total order');

-- Operator classes.
SELECT has_opclass('ledger', 'monetary_ops', 'btree operator class');
SELECT has_opclass('ledger', 'monetary_hash_ops', 'hash operator class');
SELECT results_eq(
    $$SELECT am.amname::text COLLATE "default", c.opcdefault FROM pg_opclass c JOIN pg_am am ON am.oid = c.opcmethod
       WHERE c.opcintype = 'ledger.monetary'::regtype ORDER BY 1, 2$$,
    $$VALUES ('btree', false), ('btree', true), ('hash', true)$$,
    'the total-order btree class and the hash class are the default for monetary');
SELECT results_eq(
    $$SELECT am.amname::text COLLATE "default", p.amprocnum::int, p.amproc::regproc::text
        FROM pg_amproc p JOIN pg_opfamily f ON f.oid = p.amprocfamily
        JOIN pg_am am ON am.oid = f.opfmethod
       WHERE p.amproclefttype = 'ledger.monetary'::regtype ORDER BY 1, 2, 3$$,
    $$VALUES ('btree', 1, 'ledger.monetary_cmp'), ('btree', 1, 'ledger.monetary_cmp'),
             ('btree', 4, 'btequalimage'), ('btree', 4, 'btequalimage'),
             ('hash', 1, 'ledger.monetary_hash'), ('hash', 2, 'ledger.monetary_hash_extended')$$,
    'support functions: the total order in both btree classes, equal image, hash, extended hash');
SELECT results_eq(
    $$SELECT o.amopstrategy::int, o.amopopr::regoperator::text
        FROM pg_amop o JOIN pg_opfamily f ON f.oid = o.amopfamily
       WHERE f.opfname = 'monetary_ops' AND o.amopmethod = (SELECT oid FROM pg_am WHERE amname = 'btree') ORDER BY 1$$,
    $$SELECT s, format('%s(ledger.monetary,ledger.monetary)', op)
        FROM (VALUES (1, '~<~'), (2, '~<=~'), (3, '='), (4, '~>=~'), (5, '~>~')) AS t(s, op)$$,
    'btree strategies: the total-order operators, never the raising ones');
SELECT results_eq(
    $$SELECT o.amopstrategy::int, o.amopopr::regoperator::text
        FROM pg_amop o JOIN pg_opfamily f ON f.oid = o.amopfamily
       WHERE f.opfname = 'monetary_comparison_ops' ORDER BY 1$$,
    $$SELECT s, format('%s(ledger.monetary,ledger.monetary)', op)
        FROM (VALUES (1, '<'), (2, '<='), (3, 'ledger.='), (4, '>='), (5, '>')) AS t(s, op)$$,
    'the non-default comparison class: the raising operators over the total order, with an equality no join uses');

-- Aggregates.
SELECT is_aggregate('pg_catalog', 'sum', ARRAY['ledger.monetary'], 'sum is an aggregate');
SELECT is_aggregate('pg_catalog', 'min', ARRAY['ledger.monetary'], 'min is an aggregate');
SELECT is_aggregate('pg_catalog', 'max', ARRAY['ledger.monetary'], 'max is an aggregate');
SELECT results_eq(
    $$SELECT p.proname::text COLLATE "default", p.pronamespace::regnamespace::text, p.proparallel::text,
             a.aggcombinefn::text, a.aggsortop::regoperator::text
        FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
       WHERE p.proargtypes[0] = 'ledger.monetary'::regtype ORDER BY 1$$,
    $$VALUES ('max', 'pg_catalog', 's', 'ledger.monetary_larger', '0'),
             ('min', 'pg_catalog', 's', 'ledger.monetary_smaller', '0'),
             ('sum', 'pg_catalog', 's', 'ledger.monetary_sum_combine', '0')$$,
    'aggregates are parallel safe, with combine functions, and no sort operator (no index answers min/max)');
SELECT results_eq(
    $$SELECT aggtranstype::regtype::text, aggserialfn::text, aggdeserialfn::text, aggfinalfn::text
        FROM pg_aggregate WHERE aggfnoid = 'pg_catalog.sum(ledger.monetary)'::regprocedure$$,
    $$VALUES ('internal', 'ledger.monetary_sum_serialize', 'ledger.monetary_sum_deserialize',
              'ledger.monetary_sum_final')$$,
    'sum keeps an internal state that parallel workers serialize');

-- Casts: explicit only, to and from text.
SELECT has_cast('ledger.monetary', 'text', 'monetary -> text');
SELECT has_cast('text', 'ledger.monetary', 'text -> monetary');
SELECT cast_context_is('ledger.monetary', 'text', 'explicit', 'monetary -> text is explicit');
SELECT cast_context_is('text', 'ledger.monetary', 'explicit', 'text -> monetary is explicit');
SELECT is_empty(
    $$SELECT 1 FROM pg_cast WHERE (castsource = 'ledger.monetary'::regtype
                                OR casttarget = 'ledger.monetary'::regtype) AND castcontext <> 'e'$$,
    'no implicit or assignment cast touches monetary');

-- Functions: every one is strict (NULL in, NULL out) unless it must report NULLs, and has
-- the volatility and parallel marking it needs.
SELECT results_eq(
    $$SELECT p.oid::regprocedure::text, p.provolatile::text, p.proparallel::text, p.proisstrict
        FROM pg_proc p WHERE p.pronamespace = 'ledger'::regnamespace AND p.prokind = 'f'
       ORDER BY 1$$,
    $$VALUES
        ('ledger.abs(ledger.monetary)', 'i', 's', true),
        ('ledger.account_write_trigger()', 'v', 'u', false),
        ('ledger.allocate(ledger.monetary,integer)', 'i', 's', true),
        ('ledger.allocate(ledger.monetary,integer[])', 'i', 's', true),
        ('ledger.amount(ledger.monetary)', 'i', 's', true),
        ('ledger.append_only_trigger()', 'v', 'u', false),
        ('ledger.balance(bigint)', 's', 's', true),
        ('ledger.balance_write_trigger()', 'v', 'u', false),
        ('ledger.changes(bigint,integer)', 's', 's', false),
        ('ledger.convert(ledger.monetary,numeric,text,ledger.rounding_mode)', 's', 's', true),
        ('ledger.create_account(text,text,ledger.monetary,ledger.monetary,jsonb)', 'v', 'u', false),
        ('ledger.create_consumer(text,bigint)', 'v', 'u', false),
        ('ledger.create_currency(text,integer,text)', 'v', 'u', false),
        ('ledger.currency(ledger.monetary)', 'i', 's', true),
        ('ledger.current_xact_id()', 'v', 'u', true),
        ('ledger.custom_currencies_immutable_trigger()', 'v', 'u', false),
        ('ledger.deposit(bigint,ledger.monetary,text,jsonb,bigint)', 'v', 'u', false),
        ('ledger.drop_consumer(text)', 'v', 'u', false),
        ('ledger.feed_ack(text,bigint,bigint)', 'v', 'u', false),
        ('ledger.feed_append(ledger.feed_state,bigint[],pg_snapshot,bigint,bigint,bigint)', 'v', 'u', false),
        ('ledger.feed_argument_error(text,text)', 'v', 'u', false),
        ('ledger.feed_forbid_prepare()', 'v', 'u', false),
        ('ledger.feed_lag()', 's', 'u', false),
        ('ledger.feed_next(text,integer,boolean)', 'v', 'u', false),
        ('ledger.feed_resync(ledger.feed_state,bigint,bigint)', 'v', 'u', false),
        ('ledger.feed_sequence(boolean)', 'v', 'u', false),
        ('ledger.feed_snapshot_without(pg_snapshot,bigint)', 'i', 's', true),
        ('ledger.feed_summarize()', 'v', 'u', false),
        ('ledger.feed_tick()', 'v', 'u', false),
        ('ledger.feed_try_tick()', 'v', 'u', false),
        ('ledger.feed_unsequenced(pg_snapshot,bigint)', 's', 'u', false),
        ('ledger.iso_currencies()', 'i', 's', true),
        ('ledger.merge_account(bigint)', 'v', 'u', false),
        ('ledger.monetary(numeric,text)', 's', 's', true),
        ('ledger.monetary_add(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_cmp(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_eq(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_ge(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_gt(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_hash(ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_hash_extended(ledger.monetary,bigint)', 'i', 's', true),
        ('ledger.monetary_in(cstring)', 's', 's', true),
        ('ledger.monetary_inequality_sel(internal,oid,internal,integer)', 's', 's', true),
        ('ledger.monetary_larger(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_le(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_lt(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_multiply(ledger.monetary,bigint)', 'i', 's', true),
        ('ledger.monetary_multiply_reversed(bigint,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_ne(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_negate(ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_out(ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_ratio(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_recv(internal)', 's', 's', true),
        ('ledger.monetary_send(ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_smaller(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_subtract(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_sum_combine(internal,internal)', 'i', 's', false),
        ('ledger.monetary_sum_deserialize(bytea,internal)', 'i', 's', true),
        ('ledger.monetary_sum_final(internal)', 'i', 's', false),
        ('ledger.monetary_sum_serialize(internal)', 'i', 's', true),
        ('ledger.monetary_sum_step(internal,ledger.monetary)', 'i', 's', false),
        ('ledger.monetary_total_ge(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_total_gt(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_total_le(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.monetary_total_lt(ledger.monetary,ledger.monetary)', 'i', 's', true),
        ('ledger.rebalance(bigint)', 'v', 'u', false),
        ('ledger.scale(ledger.monetary,numeric,ledger.rounding_mode)', 'i', 's', true),
        ('ledger.split_account(bigint,integer)', 'v', 'u', false),
        ('ledger.statement(bigint,boolean,integer,bigint,bigint)', 's', 's', false),
        ('ledger.transfer(bigint,bigint,ledger.monetary,text,jsonb,bigint)', 'v', 'u', false),
        ('ledger.transfer_many(bigint[],bigint[],ledger.monetary[],text[],jsonb[])', 'v', 'u', false),
        ('ledger.verify()', 's', 's', false),
        ('ledger.withdraw(bigint,ledger.monetary,text,jsonb,bigint)', 'v', 'u', false)$$,
    'functions: volatility, parallel safety, strictness');
SELECT volatility_is('ledger', 'monetary_in', ARRAY['cstring'], 'stable',
                     'text input is stable: it may read registered currencies');
SELECT volatility_is('ledger', 'monetary_out', ARRAY['ledger.monetary'], 'immutable',
                     'text output is immutable');
SELECT is_strict('ledger', 'monetary_add', ARRAY['ledger.monetary', 'ledger.monetary'],
                 'addition is strict');
SELECT function_returns('ledger', 'allocate', ARRAY['ledger.monetary', 'integer'],
                        'ledger.monetary[]', 'allocate returns an array of parts');

-- Currencies.
SELECT has_table('ledger', 'custom_currencies', 'registered currencies table');
SELECT has_view('ledger', 'currencies', 'currencies view');
SELECT ok((SELECT count(*) FROM pg_extension e, unnest(e.extconfig) AS t(config)
            WHERE e.extname = 'ledger' AND config = 'ledger.custom_currencies'::regclass) = 1,
          'registered currencies are dumped by pg_dump');
SELECT is(has_function_privilege('public', 'ledger.create_currency(text,integer,text)', 'EXECUTE'),
          false, 'PUBLIC cannot register currencies');
SELECT is_definer('ledger', 'create_currency', ARRAY['text', 'integer', 'text'],
                  'create_currency runs with the owner''s rights');
SELECT * FROM finish();
ROLLBACK;
