-- The ledger's guarantees against its own users: privileges, limits that DML cannot bypass,
-- search_path hijacking, append-only triggers, and verify() on a consistent and a corrupted
-- ledger.
BEGIN;
SELECT plan(33);

SELECT create_account('sec alice', 'EUR') AS alice \gset
SELECT create_account('sec bob', 'EUR') AS bob \gset
SELECT deposit(:alice, '100.00 EUR') > 0 AS funded \gset
SELECT id AS eur_external FROM ledger.accounts WHERE is_external AND currency = 'EUR' \gset

CREATE ROLE ledger_tap_nobody;
CREATE ROLE ledger_tap_reader;
CREATE ROLE ledger_tap_mover;
-- The grants the README recommends.
GRANT SELECT ON ledger.accounts, ledger.balances, ledger.account_balances, ledger.transfers,
    ledger.entries TO ledger_tap_reader;
GRANT EXECUTE ON FUNCTION ledger.transfer(bigint, bigint, ledger.monetary, text, jsonb, bigint),
                          ledger.withdraw(bigint, ledger.monetary, text, jsonb, bigint),
                          ledger.deposit(bigint, ledger.monetary, text, jsonb, bigint)
    TO ledger_tap_mover;

-- The writing functions run as the owner, with a search_path no caller can reach.
SELECT ok((SELECT prosecdef FROM pg_proc
            WHERE oid = 'ledger.transfer(bigint,bigint,ledger.monetary,text,jsonb,bigint)'::regprocedure),
          'transfer runs with the owner''s rights');
SELECT is_empty(
    $$SELECT p.oid::regprocedure FROM pg_proc p
       WHERE p.pronamespace = 'ledger'::regnamespace
         AND p.proname IN ('create_account', 'transfer', 'withdraw', 'deposit', 'create_currency',
                           'transfer_many', 'split_account', 'merge_account', 'rebalance')
         AND NOT (p.prosecdef AND 'search_path=pg_catalog, pg_temp' = ANY (p.proconfig))$$,
    'every writing function is SECURITY DEFINER with search_path pinned to pg_catalog, pg_temp');
SELECT is_empty(
    $$SELECT p.oid::regprocedure FROM pg_proc p
       WHERE p.pronamespace = 'ledger'::regnamespace
         AND p.proname IN ('create_account', 'transfer', 'withdraw', 'deposit', 'transfer_many',
                           'split_account', 'merge_account', 'rebalance')
         AND has_function_privilege('public', p.oid, 'EXECUTE')$$,
    'PUBLIC cannot execute the writing functions');

-- A role without grants can neither move money nor touch the tables.
SET ROLE ledger_tap_nobody;
SELECT throws_ok(format('SELECT ledger.transfer(%s, %s, ''1.00 EUR'')', :alice, :bob), '42501',
                 NULL, 'no grant: transfer refused');
SELECT throws_ok(format('SELECT ledger.deposit(%s, ''1.00 EUR'')', :alice), '42501',
                 NULL, 'no grant: deposit refused');
SELECT throws_ok(format('SELECT ledger.create_account(''x'', ''EUR'')'), '42501',
                 NULL, 'no grant: create_account refused');
SELECT throws_ok('SELECT * FROM ledger.accounts', '42501', NULL, 'no grant: accounts unreadable');
SELECT throws_ok(format('UPDATE ledger.balances SET balance = ''1000000.00 EUR'' WHERE account_id = %s', :alice),
                 '42501', NULL, 'no grant: balances not writable');
SELECT throws_ok('SELECT * FROM ledger.balances', '42501', NULL, 'no grant: balances unreadable');
SELECT throws_ok('SELECT * FROM ledger.account_balances', '42501', NULL,
                 'no grant: account_balances unreadable');
SELECT throws_ok(format('SELECT * FROM ledger.transfer_many(''{%s}'', ''{%s}'', ''{1 EUR}'')', :alice, :bob),
                 '42501', NULL, 'no grant: transfer_many refused');
SELECT throws_ok(format('SELECT ledger.split_account(%s, 4)', :alice), '42501', NULL,
                 'no grant: split_account refused');
SELECT throws_ok(format('INSERT INTO ledger.transfers (from_account, to_account, amount) VALUES (%s, %s, ''5 EUR'')', :bob, :alice),
                 '42501', NULL, 'no grant: transfers not writable');
RESET ROLE;

-- A reader reads; it cannot move money.
SET ROLE ledger_tap_reader;
SELECT is(ledger.balance(:alice), '100.00 EUR'::ledger.monetary, 'reader sees the balance');
SELECT is((SELECT balance FROM ledger.account_balances WHERE id = :alice), '100.00 EUR'::ledger.monetary,
          'reader sees the balance in account_balances');
SELECT is((SELECT count(*)::int FROM ledger.statement(:alice)), 1, 'reader sees the statement');
SELECT throws_ok(format('SELECT ledger.withdraw(%s, ''1.00 EUR'')', :alice), '42501',
                 NULL, 'reader cannot withdraw');
RESET ROLE;

-- A mover moves money, within the limits, and cannot bypass them with DML.
SET ROLE ledger_tap_mover;
SELECT lives_ok(format('SELECT ledger.transfer(%s, %s, ''40.00 EUR'')', :alice, :bob),
                'mover transfers');
SELECT throws_ok(format('SELECT ledger.transfer(%s, %s, ''60.01 EUR'')', :alice, :bob), 'LG101',
                 NULL, 'mover cannot overdraw');
SELECT throws_ok(format('UPDATE ledger.accounts SET min_balance = NULL WHERE id = %s', :alice),
                 '42501', NULL, 'mover cannot lift a limit by UPDATE');
SELECT throws_ok(format('UPDATE ledger.balances SET min_share = NULL WHERE account_id = %s', :alice),
                 '42501', NULL, 'mover cannot lift a slot''s share by UPDATE');
SELECT throws_ok(format('INSERT INTO ledger.entries VALUES (%s, 99, 1, ''1000 EUR'', ''1000 EUR'', 0)', :alice),
                 '42501', NULL, 'mover cannot forge entries');
SELECT throws_ok('SELECT * FROM ledger.accounts', '42501', NULL, 'mover cannot read the tables');
SELECT throws_ok(format('SELECT ledger.transfer(%s, %s, ''1000000.00 EUR'')', :eur_external, :bob),
                 'LG112', NULL, 'transfer() cannot create money from the external account');
RESET ROLE;

-- A search_path hijack: an operator that calls every bigint equal, found first on the caller's
-- path. If the ledger compared with it, a reused key on other accounts would return the earlier
-- transfer instead of being refused.
SELECT ledger.transfer(:alice, :bob, '1.00 EUR', 'hijack-key') > 0 AS keyed \gset
CREATE SCHEMA hijack;
CREATE FUNCTION hijack.always(bigint, bigint) RETURNS boolean LANGUAGE sql RETURN true;
CREATE OPERATOR hijack.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hijack.always);
GRANT USAGE ON SCHEMA hijack TO ledger_tap_mover;
SET ROLE ledger_tap_mover;
SET search_path = hijack, pg_catalog, public, ledger;
SELECT throws_ok(format('SELECT ledger.transfer(%s, %s, ''1.00 EUR'', ''hijack-key'')', :bob, :alice),
                 'LG107', NULL, 'the hijacking operator is not used: the reused key is refused');
RESET search_path;
RESET ROLE;
SET search_path = public, ledger;

-- The log is append-only for the owner too.
SELECT throws_ok('UPDATE ledger.transfers SET amount = amount', 'LG110', NULL, 'UPDATE transfers refused');
SELECT throws_ok('DELETE FROM ledger.transfers', 'LG110', NULL, 'DELETE transfers refused');
SELECT throws_ok('TRUNCATE ledger.transfers CASCADE', 'LG110', NULL, 'TRUNCATE transfers refused');
SELECT throws_ok('UPDATE ledger.entries SET amount = amount', 'LG110', NULL, 'UPDATE entries refused');
SELECT throws_ok('DELETE FROM ledger.entries', 'LG110', NULL, 'DELETE entries refused');
SELECT throws_ok('TRUNCATE ledger.entries', 'LG110', NULL, 'TRUNCATE entries refused');

-- verify(): nothing on a consistent ledger; each corruption reported. The corruption bypasses
-- the triggers the only way there is, as a superuser in replica mode.
SELECT is_empty('SELECT * FROM ledger.verify()', 'verify() is empty on a consistent ledger');
SET session_replication_role = replica;
UPDATE ledger.balances SET balance = '999.00 EUR' WHERE account_id = :alice;
DELETE FROM ledger.entries WHERE account_id = :bob AND account_version = 1;
SET session_replication_role = origin;
SELECT results_eq(
    $$SELECT invariant, subject FROM ledger.verify() ORDER BY 1, 2$$,
    format($$VALUES ('balance equals the last balance_after', 'account %1$s slot 0'),
                    ('balance equals the sum of entries', 'account %1$s slot 0'),
                    ('balance equals the sum of entries', 'account %2$s slot 0'),
                    ('currency balances sum to zero', 'EUR'),
                    ('each balance_after adds its entry to the one before', 'account %2$s slot 0 version 2'),
                    ('each transfer has exactly its two entries', 'transfer %3$s'),
                    ('entries belong to their transfer', 'transfer %3$s'),
                    ('entry versions have no gaps', 'account %2$s slot 0')$$,
           :alice, :bob,
           (SELECT transfer_id FROM ledger.statement(:alice, false, 1, 1))),
    'verify() reports each corruption');

SELECT * FROM finish();
ROLLBACK;
