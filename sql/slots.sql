-- Balance slots and transfer_many: an account split over several rows keeps every promise of an
-- account (limits, exact refusals, sums, chains), and a batch is all or nothing.
SET search_path = public, ledger;

SELECT create_account('slot payer', 'CHF') AS payer,
       create_account('slot payee', 'CHF', '0 CHF', '100 CHF') AS payee,
       create_account('slot spare', 'CHF', NULL) AS spare \gset
SELECT deposit(:payer, '100 CHF') > 0 AS funded;
SELECT id AS chf_external FROM accounts WHERE is_external AND currency = 'CHF' \gset

-- Splitting moves money between the account's slots with transfers from the account to itself,
-- and gives every slot an even share of the balance and of the limits.
SELECT split_account(:payer, 3);
SELECT slot, slots, balance, min_share, max_share, version FROM balances
 WHERE account_id = :payer ORDER BY slot;
SELECT t.from_account = t.to_account AS between_slots, t.amount, t.idempotency_key, t.metadata
  FROM transfers t WHERE t.from_account = :payer AND t.to_account = :payer ORDER BY t.id;
SELECT balance(:payer), version, slots FROM account_balances WHERE id = :payer;

-- 40.00 fits no slot (33.34 / 33.33 / 33.33) but fits the account: all slots are locked, and the
-- money is gathered into slot 0, paid, and spread evenly again. Exact: 60.00 left.
SELECT transfer(:payer, :spare, '40 CHF') > 0 AS paid;
SELECT slot, balance, min_share FROM balances WHERE account_id = :payer ORDER BY slot;
SELECT balance(:payer);
-- 60.01 is more than the account has: refused on the whole balance, with its figures, and
-- nothing is written.
SELECT count(*) AS transfers_before FROM transfers \gset
SELECT error_and_detail_of(format('SELECT ledger.transfer(%s, %s, ''60.01 CHF'')', :payer, :spare));
SELECT count(*) = :transfers_before AS nothing_written FROM transfers;
SELECT transfer(:payer, :spare, '60 CHF') > 0 AS paid_to_zero;
SELECT balance(:payer), (SELECT count(*) FROM balances WHERE account_id = :payer
                           AND balance <> '0 CHF') AS slots_not_empty;

-- The same on the receiving side: the maximum holds across slots.
SELECT split_account(:payee, 4);
SELECT slot, min_share, max_share FROM balances WHERE account_id = :payee ORDER BY slot;
SELECT transfer(:spare, :payee, '90 CHF') > 0 AS received;
SELECT error_and_detail_of(format('SELECT ledger.transfer(%s, %s, ''10.01 CHF'')', :spare, :payee));
SELECT transfer(:spare, :payee, '10 CHF') > 0 AS received_to_max;
SELECT balance(:payee);

-- Versions belong to one chain: refused on a split account (LG113), in transfers and statements.
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1 CHF'', expected_version => 1)', :payee, :spare));
SELECT error_of(format('SELECT ledger.withdraw(%s, ''1 CHF'', expected_version => 1)', :payee));
SELECT error_of(format('SELECT * FROM ledger.statement(%s, after_version => 1)', :payee));

-- The statement of a split account: by transfer id, with the account's running balance.
SELECT transfer_id > 0 AS has_id, amount, balance_after, counterparty = :spare AS from_spare
  FROM statement(:payee, newest_first => false)
 WHERE counterparty <> :payee;
-- Every entry, with the slot's own balance beside the account's: the moves between slots leave
-- the account's balance as it was.
SELECT amount, balance_after, slot, slot_balance_after, counterparty = :payee AS between_slots
  FROM statement(:payee, newest_first => false);
-- Pages by transfer id: the second page goes on where the first stopped.
SELECT min(transfer_id) AS first_page_ends FROM statement(:payee, page_size => 3) \gset
SELECT amount, balance_after, slot FROM statement(:payee, page_size => 3, after_transfer => :first_page_ends);

-- An account with one slot pages by transfer id as well as by version.
SELECT transfer_id AS spare_first FROM statement(:spare, newest_first => false, page_size => 1) \gset
SELECT (SELECT array_agg(transfer_id) FROM statement(:spare, newest_first => false, after_transfer => :spare_first))
     = (SELECT array_agg(transfer_id) FROM statement(:spare, newest_first => false, after_version => 1))
       AS same_pages;
SELECT error_of(format('SELECT * FROM ledger.statement(%s, after_transfer => 0)', :spare));
SELECT error_of(format('SELECT * FROM ledger.statement(%s, after_version => 1, after_transfer => 1)', :spare));

-- Merging gathers the account back into one slot: versions work again.
SELECT merge_account(:payee);
SELECT slot, slots, balance, min_share, max_share FROM balances WHERE account_id = :payee ORDER BY slot;
SELECT version AS payee_version FROM account_balances WHERE id = :payee \gset
SELECT transfer(:payee, :spare, '1 CHF', expected_version => :payee_version) > 0 AS versioned;
SELECT rebalance(:payee);
SELECT count(*) AS payee_slots_in_use FROM balances WHERE account_id = :payee AND slot < slots;

-- Arguments.
SELECT error_of(format('SELECT ledger.split_account(%s, 0)', :payer));
SELECT error_of(format('SELECT ledger.split_account(%s, 65)', :payer));
SELECT error_of(format('SELECT ledger.split_account(%s, NULL)', :payer));
SELECT error_of('SELECT ledger.split_account(NULL, 2)');
SELECT error_of('SELECT ledger.merge_account(999999)');
SELECT error_of('SELECT ledger.rebalance(999999)');

-- External accounts are split from the start; deposits and withdrawals use any free slot.
SELECT slots FROM account_balances WHERE id = :chf_external;
SELECT deposit(:spare, '5 CHF') > 0 AS deposited, withdraw(:spare, '2 CHF') > 0 AS withdrew;
SELECT (SELECT sum(balance) FROM balances WHERE account_id = :chf_external)
     = - (SELECT sum(b.balance) FROM balances b JOIN accounts a ON a.id = b.account_id
           WHERE a.currency = 'CHF' AND NOT a.is_external) AS external_mirrors_the_rest;

-- transfer_many: in array order, every check, one id per item.
SELECT create_account('batch a', 'CHF') AS ba, create_account('batch b', 'CHF') AS bb \gset
SELECT deposit(:ba, '10 CHF') > 0 AS funded;
SELECT item, transfer_id > 0 AS has_id
  FROM transfer_many(ARRAY[:ba, :bb, :ba]::bigint[], ARRAY[:bb, :ba, :bb]::bigint[],
                     '{3 CHF, 1 CHF, 8 CHF}', ARRAY['b-1', 'b-2', 'b-3'],
                     ARRAY['{"line": 1}', NULL, '{"line": 3}']::jsonb[]);
SELECT balance(:ba) AS a, balance(:bb) AS b;
SELECT t.idempotency_key, t.amount, t.metadata FROM transfers t
 WHERE t.idempotency_key LIKE 'b-%' ORDER BY t.id;
-- The same call again returns the same ids and writes nothing.
SELECT count(*) AS transfers_before FROM transfers \gset
SELECT array_agg(transfer_id ORDER BY item) = (SELECT array_agg(id ORDER BY id) FROM transfers
                                                WHERE idempotency_key LIKE 'b-%') AS same_ids
  FROM transfer_many(ARRAY[:ba, :bb, :ba]::bigint[], ARRAY[:bb, :ba, :bb]::bigint[],
                     '{3 CHF, 1 CHF, 8 CHF}', ARRAY['b-1', 'b-2', 'b-3'],
                     ARRAY['{"line": 1}', NULL, '{"line": 3}']::jsonb[]);
SELECT count(*) = :transfers_before AS nothing_written FROM transfers;
-- Refusals name the item, keep its SQLSTATE, and write nothing.
SELECT error_of(format($$SELECT * FROM ledger.transfer_many('{%s,%s}', '{%s,%s}', '{1 CHF, 50 CHF}')$$,
                       :bb, :bb, :ba, :ba)) AS overdraw;
SELECT error_of(format($$SELECT * FROM ledger.transfer_many('{%s}', '{%s}', '{1 CHF}', '{b-1}')$$,
                       :bb, :ba)) AS key_reused;
SELECT error_of(format($$SELECT * FROM ledger.transfer_many('{%s,%s}', '{%s,%s}', '{1 CHF, 1 CHF}', '{k, k}')$$,
                       :bb, :bb, :ba, :ba)) AS key_twice;
SELECT error_of(format($$SELECT * FROM ledger.transfer_many('{%s,%s}', '{%s,%s}', '{1 CHF, 1 EUR}')$$,
                       :bb, :bb, :ba, :ba)) AS currency;
SELECT error_of(format($$SELECT * FROM ledger.transfer_many('{%s,%s}', '{%s,999999}', '{1 CHF, 1 CHF}')$$,
                       :bb, :bb, :ba)) AS unknown_account;
SELECT error_of(format($$SELECT * FROM ledger.transfer_many('{%s,%s}', '{%s,%s}', '{1 CHF, 1 CHF}')$$,
                       :bb, :bb, :ba, :bb)) AS same_account;
SELECT error_of(format($$SELECT * FROM ledger.transfer_many('{%s}', '{%s}', '{1 CHF}')$$,
                       :chf_external, :ba)) AS external;
SELECT error_of(format($$SELECT * FROM ledger.transfer_many('{%s,%s}', '{%s,%s}', '{1 CHF, 0 CHF}')$$,
                       :bb, :bb, :ba, :ba)) AS zero;
SELECT error_of(format($$SELECT * FROM ledger.transfer_many('{%s,%s}', '{%s}', '{1 CHF, 1 CHF}')$$,
                       :bb, :bb, :ba)) AS lengths;
SELECT error_of(format($$SELECT * FROM ledger.transfer_many('{%s,NULL}', '{%s,%s}', '{1 CHF, 1 CHF}')$$,
                       :bb, :ba, :ba)) AS null_item;
SELECT error_of($$SELECT * FROM ledger.transfer_many(NULL, '{}', '{}')$$) AS null_array;
SELECT error_of($$SELECT * FROM ledger.transfer_many('{{1}}', '{{2}}', '{{1 CHF}}')$$) AS two_dimensions;
SELECT error_of(format($$SELECT * FROM ledger.transfer_many(array_fill(%s::bigint, '{10001}'),
                       array_fill(%s::bigint, '{10001}'), array_fill('0.01 CHF'::ledger.monetary, '{10001}'))$$,
                       :ba, :bb)) AS too_many;
SELECT count(*) = :transfers_before AS nothing_written FROM transfers;
SELECT count(*) AS empty_batch FROM transfer_many('{}', '{}', '{}');
-- 10,000 transfers in one call.
SELECT deposit(:ba, '100 CHF') > 0 AS funded;
SELECT count(*) AS items, count(DISTINCT transfer_id) AS ids, min(item) AS first, max(item) AS last
  FROM transfer_many(array_fill(:ba::bigint, '{10000}'), array_fill(:bb::bigint, '{10000}'),
                     array_fill('0.01 CHF'::ledger.monetary, '{10000}'));
SELECT balance(:ba) AS a, balance(:bb) AS b;

-- A batch over a split account with a minimum locks all its slots and checks every transfer
-- against the whole balance (110.00), in order.
SELECT split_account(:bb, 4);
SELECT count(*) AS items
  FROM transfer_many(ARRAY[:bb, :bb, :ba]::bigint[], ARRAY[:ba, :ba, :bb]::bigint[],
                     '{50 CHF, 60 CHF, 1 CHF}');
SELECT slot, balance FROM balances WHERE account_id = :bb ORDER BY slot;
SELECT error_of(format($$SELECT * FROM ledger.transfer_many('{%s,%s}', '{%s,%s}', '{0.50 CHF, 0.51 CHF}')$$,
                       :bb, :bb, :ba, :ba)) AS whole_balance_refusal;
SELECT balance(:ba) AS a, balance(:bb) AS b;

-- A slot of n holds at most the n-th part of what an amount can be, so the account's total
-- stays representable (22003 otherwise, nothing written).
SELECT create_account('huge', 'JPY', NULL) AS huge \gset
SELECT split_account(:huge, 32);
SELECT error_of(format('SELECT ledger.deposit(%s, ''5316911983139663491615228241121378304 JPY'')', :huge)) AS over_a_32nd;
SELECT deposit(:huge, '5316911983139663491615228241121378303 JPY') > 0 AS a_32nd;
SELECT balance(:huge);
SELECT withdraw(:huge, '5316911983139663491615228241121378303 JPY') > 0 AS back_to_zero;

-- Nobody but the ledger's functions writes slots; the functions are not granted to PUBLIC.
SELECT has_function_privilege('public', 'ledger.transfer_many(bigint[], bigint[], ledger.monetary[], text[], jsonb[])', 'EXECUTE') AS public_batches,
       has_function_privilege('public', 'ledger.split_account(bigint, int)', 'EXECUTE') AS public_splits;
SELECT * FROM verify();

-- Account ids are reused after DROP and CREATE EXTENSION; what a backend remembers of the
-- accounts it used (their slots, their currency's external account) is forgotten with them.
SELECT current_database() AS regress_database \gset
CREATE DATABASE ledger_reuse;
\c ledger_reuse
CREATE EXTENSION ledger;
SELECT ledger.create_account('a', 'USD') AS a, ledger.create_account('b', 'EUR') AS b \gset
SELECT ledger.deposit(:b, '5.00 EUR') > 0 AS cached;
SELECT ledger.split_account(:a, 4);
SELECT ledger.deposit(:a, '1.00 USD') > 0 AS cached;
DROP EXTENSION ledger CASCADE;
CREATE EXTENSION ledger;
SELECT ledger.create_account('p', 'USD') AS p, ledger.create_account('q', 'USD') AS q,
       ledger.create_account('r', 'USD') AS r \gset
SELECT ledger.deposit(:q, '50.00 USD') > 0 AS funded;
SELECT ledger.deposit(:r, '20.00 USD') > 0 AS deposited;
SELECT t.from_account = e.id AS from_the_outside, t.to_account = :r AS into_r
  FROM ledger.transfers t, ledger.accounts e
 WHERE e.is_external AND t.amount = '20.00 USD';
SELECT ledger.balance(:q) AS q, ledger.balance(:p) AS p, ledger.balance(:r) AS r;
SELECT count(*) AS violations FROM ledger.verify();
\c :regress_database
DROP DATABASE ledger_reuse;
