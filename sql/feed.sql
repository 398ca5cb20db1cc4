-- The change feed: ticks give committed transfers dense positions in id order within a tick,
-- never skip one that commits late, refuse what would break that, and consumers move their
-- cursors by compare-and-set. In a database of its own, so that positions start at 1.
SELECT current_database() AS regress_database \gset
CREATE DATABASE ledger_feed;
\c ledger_feed
CREATE EXTENSION ledger;
SET search_path = public, ledger;
CREATE FUNCTION public.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- Before any tick: nothing sequenced, nothing waiting.
SELECT last_position, last_tick IS NULL AS never_ticked, unsequenced FROM feed_lag();
SELECT feed_tick() AS empty_tick;
SELECT * FROM changes();
-- Arguments are checked on an empty feed too.
SELECT error_of('SELECT * FROM ledger.changes(NULL, 5)');
SELECT error_of('SELECT * FROM ledger.changes(0, -1)');

SELECT create_account('feed a', 'USD') AS a, create_account('feed b', 'USD') AS b \gset
SELECT deposit(:a, '100.00 USD') AS d1 \gset
SELECT transfer(:a, :b, '30.00 USD', 'feed-key', '{"order": 7}') AS t1 \gset
SELECT unsequenced FROM feed_lag();
SELECT feed_tick() AS last_position;
-- Positions 1 and 2, in id order, each with its entries (the paying side first).
SELECT position, transfer_id = :d1 AS is_d1, transfer_id = :t1 AS is_t1, amount,
       idempotency_key, metadata
  FROM changes() ORDER BY position;
-- (The external account's slot is any free one: not shown.)
SELECT position, e->>'account' = :'a' AS on_a,
       CASE WHEN e->>'account' IN (:'a', :'b') THEN e->>'slot' END AS slot, e->>'version' AS version,
       e->>'amount' AS amount, e->>'balance_after' AS balance_after
  FROM changes(), jsonb_array_elements(entries) AS e ORDER BY position, e->>'amount';
-- Nothing new: the same last position, no new rows.
SELECT feed_tick() AS same_position, (SELECT count(*) FROM feed) AS rows;
SELECT last_position, unsequenced, last_tick IS NOT NULL AS ticked FROM feed_lag();

-- Paging: after a position, at most max_rows.
SELECT position FROM changes(1, 10);
SELECT position FROM changes(0, 1);
SELECT count(*) AS none_after_the_end FROM changes(2);

-- Rolled back transfers, rolled back savepoints: never sequenced. Released savepoints: sequenced
-- when the transaction commits.
BEGIN;
SELECT transfer(:a, :b, '1.00 USD') > 0 AS rolled_back;
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT transfer(:a, :b, '2.00 USD') > 0 AS in_rolled_back_savepoint;
ROLLBACK TO SAVEPOINT s;
SAVEPOINT r;
SELECT transfer(:a, :b, '3.00 USD') AS released \gset
RELEASE SAVEPOINT r;
COMMIT;
SELECT feed_tick() AS after_savepoints;
SELECT position, transfer_id = :released AS is_released, amount FROM changes(2);

-- A tick runs only under READ COMMITTED (a REPEATABLE READ snapshot could predate the last
-- tick's), in a read-write transaction, and not in one that already made transfers (they would
-- be sequenced before they commit).
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT error_of('SELECT ledger.feed_tick()');
ROLLBACK;
BEGIN READ ONLY;
SELECT error_of('SELECT ledger.feed_tick()');
ROLLBACK;
BEGIN;
SELECT transfer(:a, :b, '4.00 USD') > 0 AS made;
SELECT error_of('SELECT ledger.feed_tick()');
ROLLBACK;
-- A transfer made after a tick in the same transaction is sequenced by a later tick.
BEGIN;
SELECT feed_tick() AS tick_first;
SELECT transfer(:a, :b, '5.00 USD') AS after_tick \gset
COMMIT;
SELECT feed_tick() AS later_tick;
SELECT position, transfer_id = :after_tick AS is_after_tick, amount FROM changes(3);
-- With no other tick running, the try variant ticks (specs/feed_late_commit: beside one, NULL).
SELECT feed_try_tick() AS try_tick;

-- Consumers: named cursors, moved by compare-and-set.
SELECT create_consumer('mailer');
SELECT error_of($$SELECT ledger.create_consumer('mailer')$$);
SELECT error_of($$SELECT ledger.create_consumer('late', 99)$$);
SELECT error_of($$SELECT ledger.create_consumer('', 0)$$);
SELECT error_of($$SELECT ledger.create_consumer(NULL)$$);
BEGIN;
SELECT position, amount FROM feed_next('mailer', 2);
SELECT feed_ack('mailer', 0, 2);
COMMIT;
SELECT consumer, position FROM feed_consumers;
SELECT error_of($$SELECT ledger.feed_ack('mailer', 0, 3)$$);
SELECT error_of($$SELECT ledger.feed_ack('mailer', 2, 1)$$);
SELECT error_of($$SELECT ledger.feed_ack('mailer', 2, 99)$$);
SELECT error_of($$SELECT ledger.feed_ack('nobody', 0, 1)$$);
SELECT error_of($$SELECT * FROM ledger.feed_next('nobody')$$);
SELECT error_of($$SELECT ledger.feed_ack('mailer', NULL, 1)$$);
-- An acknowledgement rolled back with the consumer's own work leaves the cursor where it was.
BEGIN;
SELECT position FROM feed_next('mailer');
SELECT feed_ack('mailer', 2, 4);
ROLLBACK;
SELECT position FROM feed_consumers WHERE consumer = 'mailer';
SELECT position FROM feed_next('mailer');
SELECT drop_consumer('mailer');
SELECT error_of($$SELECT ledger.drop_consumer('mailer')$$);

-- The feed is append-only; verify() checks its promises and names what a tampered feed breaks.
SELECT error_of('UPDATE ledger.feed SET transfer_id = transfer_id');
SELECT error_of('DELETE FROM ledger.feed');
SELECT error_of('TRUNCATE ledger.feed');
SELECT count(*) AS violations FROM verify();
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO feed VALUES (6, :t1), (8, 123456);
SELECT invariant, subject, detail FROM verify() ORDER BY 1, 2;
ROLLBACK;
-- A committed transfer the last tick saw but that has no position.
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM feed WHERE position = 4;
UPDATE feed_state SET last_position = 3;
SELECT invariant, subject = 'transfer ' || :after_tick AS subject_is_after_tick, detail FROM verify() ORDER BY 1;
ROLLBACK;
SELECT count(*) AS violations FROM verify();
-- A tick refuses a feed that disagrees with its state (a restore half done: the feed loaded,
-- its state not yet), rather than reuse positions.
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO feed VALUES (5, :t1);
SELECT error_of('SELECT ledger.feed_tick()');
ROLLBACK;
-- Arguments of the readers: NULL and negative are refused, not read as "nothing".
SELECT error_of('SELECT * FROM ledger.changes(0, NULL)');
SELECT error_of('SELECT * FROM ledger.changes(NULL)');
SELECT error_of('SELECT * FROM ledger.changes(0, -1)');
SELECT error_of('SELECT * FROM ledger.feed_next(NULL)');

-- A restore into another cluster (simulated: the stored system identifier differs) makes the
-- next tick resynchronize once: transfers without a position get one in id order, and later
-- ticks look only above the highest id.
SELECT transfer(:a, :b, '6.00 USD') AS before_resync \gset
UPDATE feed_state SET system_identifier = 1;
SELECT feed_tick() AS resynchronized;
SELECT position, transfer_id = :before_resync AS is_before_resync FROM changes(4);
SELECT resync_floor = :before_resync AS floor_is_highest_id,
       system_identifier = (SELECT system_identifier FROM pg_control_system()) AS this_cluster
  FROM feed_state;
SELECT transfer(:a, :b, '7.00 USD') AS after_resync \gset
SELECT feed_tick() AS after_resync_tick;
SELECT position, transfer_id = :after_resync AS is_after_resync FROM changes(5);
SELECT count(*) AS violations FROM verify();

-- A batch finds its entries per run of nearby ids: transfers 100 ids apart (the rolled-back ones
-- in between drew ids too) fall in separate runs, and each still gets exactly its own entries.
SELECT feed_tick() AS before_runs \gset
SELECT transfer(:a, :b, '1.00 USD') AS run_low \gset
BEGIN;
SELECT count(transfer(:a, :b, '0.01 USD')) AS rolled_back FROM generate_series(1, 100);
ROLLBACK;
SELECT transfer(:b, :a, '2.00 USD') AS run_high \gset
SELECT :run_high - :run_low AS ids_apart, feed_tick() AS two_runs_tick;
SELECT transfer_id = :run_low AS is_low, transfer_id = :run_high AS is_high,
       jsonb_array_length(entries) AS entries, entries->0->>'amount' AS paid
  FROM changes(:before_runs) ORDER BY position;
-- Every batch's entries equal a lookup per transfer, whatever the batch size.
SELECT max_rows, count(*) FILTER (WHERE c.entries IS DISTINCT FROM
           (SELECT jsonb_agg(jsonb_build_object(
                       'account', e.account_id, 'slot', e.slot, 'version', e.account_version,
                       'amount', e.amount::text, 'balance_after', e.balance_after::text)
                       ORDER BY amount(e.amount) > 0, e.account_id, e.slot)
              FROM entries e WHERE e.transfer_id = c.transfer_id)) AS differing,
       count(*) AS changes
  FROM unnest(ARRAY[1, 3, 100]) AS max_rows, LATERAL (
       SELECT * FROM generate_series(0, :before_runs + 2) AS after, LATERAL changes(after, max_rows)) c
 GROUP BY max_rows ORDER BY max_rows;

-- feed_lag() names the oldest writing transaction; a prepared one by its gid.
BEGIN;
SELECT transfer(:a, :b, '3.00 USD') AS prepared_transfer \gset
PREPARE TRANSACTION 'feed lag probe';
SELECT oldest_xact_pid IS NULL AS no_backend, oldest_xact_gid, oldest_xact_age >= '0'::interval AS aged,
       unsequenced
  FROM feed_lag();
SELECT feed_tick() = :before_runs + 2 AS not_sequenced_while_prepared;
COMMIT PREPARED 'feed lag probe';
SELECT feed_tick() AS sequenced_once_committed;
SELECT oldest_xact_gid IS NULL AS none_left,
       (SELECT transfer_id = :prepared_transfer FROM changes(:before_runs + 2)) AS is_prepared_transfer
  FROM feed_lag();
SELECT count(*) AS violations FROM verify();

-- One index lookup of entries per run, also once the tables have statistics and entries is large
-- enough for the planner to prefer a lookup per transfer (5,000 transfers): 150 transfers with
-- consecutive ids, read in one batch, are one lookup (counted within one transaction, where the
-- backend's scan counts are not flushed).
SELECT count(*) AS history FROM transfer_many(array_fill(:a, ARRAY[5000]),
                                              array_fill(:b, ARRAY[5000]),
                                              array_fill('0.01 USD'::monetary, ARRAY[5000]));
SELECT feed_tick() AS before_batch \gset
SELECT count(*) AS made FROM transfer_many(array_fill(:a, ARRAY[150]), array_fill(:b, ARRAY[150]),
                                           array_fill('0.01 USD'::monetary, ARRAY[150]));
SELECT feed_tick() - :before_batch AS sequenced;
BEGIN;
ANALYZE entries, transfers, feed;
SELECT pg_stat_get_xact_numscans('ledger.entries_transfer'::regclass) AS lookups_before \gset
SELECT count(*) AS read, count(*) FILTER (WHERE jsonb_array_length(entries) = 2) AS with_entries
  FROM changes(:before_batch, 150);
SELECT pg_stat_get_xact_numscans('ledger.entries_transfer'::regclass) - :lookups_before
       AS entries_lookups;
COMMIT;

-- A transaction that ticked cannot be prepared (it would hold the feed's state row across
-- restarts); the next tick runs.
\set VERBOSITY sqlstate
BEGIN;
SELECT feed_tick() IS NOT NULL AS ticked;
PREPARE TRANSACTION 'ticked';
\set VERBOSITY default
SELECT count(*) AS prepared FROM pg_prepared_xacts WHERE gid = 'ticked';
SELECT feed_try_tick() IS NOT NULL AS next_tick_runs;

-- Roles: the feed's functions are granted, not public; changes() reads with the caller's rights.
CREATE ROLE regress_feed_reader;
GRANT USAGE ON SCHEMA ledger TO regress_feed_reader;
SET ROLE regress_feed_reader;
SELECT error_of('SELECT ledger.feed_tick()');
SELECT error_of('SELECT * FROM ledger.changes()');
SELECT error_of($$SELECT * FROM ledger.feed_next('x')$$);
RESET ROLE;
GRANT SELECT ON feed, transfers, entries TO regress_feed_reader;
SET ROLE regress_feed_reader;
SELECT count(*) AS readable FROM changes();
RESET ROLE;
REVOKE ALL ON feed, transfers, entries FROM regress_feed_reader;
REVOKE USAGE ON SCHEMA ledger FROM regress_feed_reader;
DROP ROLE regress_feed_reader;

\c :regress_database
DROP DATABASE ledger_feed;
