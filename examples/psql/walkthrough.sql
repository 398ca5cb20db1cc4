-- A walk through ledger with nothing but psql. Read it top to bottom; run it with
--   psql -X -d yourdb -f examples/psql/walkthrough.sql
-- in a database where you may CREATE EXTENSION (see examples/psql/README.md).
--
-- The story: a small bookshop keeps its customers' store credit in dollars and its loyalty
-- points in a currency of its own.
\set QUIET on
\pset footer off
-- Errors below are on purpose: psql prints them and goes on, and the script then prints their
-- SQLSTATE, which is what an application branches on (the README lists them all).
\set ON_ERROR_STOP off
\set SHOW_CONTEXT never

CREATE EXTENSION IF NOT EXISTS ledger;
-- Only so that the ledger's functions, tables, views and type read without their schema below
-- (transfer(), account_balances, monetary, ...). The operators and sum() on ledger.monetary live in
-- pg_catalog and need no search_path; an application would write ledger.transfer(...) and set
-- nothing.
SET search_path = public, ledger;

\echo '1. Currencies: every ISO 4217 currency is built in; register your own with its minor units.'
SELECT code, minor_units, name FROM currencies WHERE code IN ('USD', 'JPY', 'KWD') ORDER BY code;
SELECT create_currency('PTS', 0, 'Bookshop loyalty points') AS registered;
SELECT '250 PTS'::monetary AS points, '19.9 usd'::monetary AS "written sloppily, stored exactly";

\echo
\echo '2. Accounts: one per holder and currency. By default an account may not go below zero;'
\echo '   max_balance caps it. The first account in a currency also opens external:CODE, the'
\echo '   outside world that deposits come from and withdrawals go to. Balances live in the'
\echo '   table balances, in one or more slots per account (external ones have 16, so that'
\echo '   deposits and withdrawals need not queue on one row); the view account_balances sums'
\echo '   them and shows each account with its balance.'
SELECT create_account('ana', 'USD') AS ana,
       create_account('ben', 'USD', max_balance => '500.00 USD') AS ben,
       create_account('shop', 'USD') AS shop,
       create_account('ana points', 'PTS', metadata => '{"tier": "gold"}') AS ana_points \gset
SELECT id, name, currency, balance, min_balance, max_balance, slots FROM account_balances
 ORDER BY id;

\echo
\echo '3. Deposits bring money in. The idempotency key makes a retried call harmless: the same'
\echo '   key and arguments return the first transfer id and write nothing.'
SELECT deposit(:ana, '120.00 USD', 'card-payment-0001') AS first_call,
       deposit(:ana, '120.00 USD', 'card-payment-0001') AS retried_call;
SELECT deposit(:ben, '40.00 USD', 'card-payment-0002') AS ben_deposit,
       deposit(:ana_points, '300 PTS') AS points_deposit;

\echo
\echo '4. Transfers move money between accounts of one currency, all or nothing. An account in'
\echo '   one slot has a version, its number of entries (NULL while it is split over several).'
SELECT transfer(:ana, :shop, '35.50 USD', 'order-1001', '{"order": 1001}') AS order_1001;
SELECT name, balance, version FROM account_balances WHERE id IN (:ana, :ben, :shop) ORDER BY id;

\echo
\echo '5. Withdrawals take money out again (ben asks for a refund of his credit).'
SELECT withdraw(:ben, '15.00 USD', 'refund-77') AS refund;

\echo
-- Each message names only what the call sent; the figures behind it (the balance, the limit, the
-- account's version, the transfer a key made) follow as a DETAIL, which psql prints only to roles
-- that may SELECT from ledger.accounts and ledger.balances, as the extension's owner may.
\echo '6. What the ledger refuses. Each line shows the SQLSTATE an application would catch.'
\echo '-- more than ana has:'
SELECT transfer(:ana, :shop, '1000.00 USD');
\echo '   SQLSTATE' :LAST_ERROR_SQLSTATE
\echo '-- above ben''s max_balance of 500.00 USD:'
SELECT deposit(:ben, '480.00 USD');
\echo '   SQLSTATE' :LAST_ERROR_SQLSTATE
\echo '-- points into a dollar account:'
SELECT transfer(:ana_points, :shop, '10 PTS');
\echo '   SQLSTATE' :LAST_ERROR_SQLSTATE
\echo '-- an account that does not exist:'
SELECT transfer(:ana, 999999, '1.00 USD');
\echo '   SQLSTATE' :LAST_ERROR_SQLSTATE
\echo '-- zero, or a negative amount:'
SELECT transfer(:ana, :shop, '0.00 USD');
\echo '   SQLSTATE' :LAST_ERROR_SQLSTATE
\echo '-- a key reused for a different payment:'
SELECT transfer(:ana, :shop, '1.00 USD', 'order-1001');
\echo '   SQLSTATE' :LAST_ERROR_SQLSTATE
\echo '-- a third decimal on dollars (the type refuses it before the ledger sees it):'
SELECT deposit(:ana, '0.001 USD');
\echo '   SQLSTATE' :LAST_ERROR_SQLSTATE
\echo '-- rewriting history:'
UPDATE transfers SET amount = '0.01 USD' WHERE idempotency_key = 'order-1001';
\echo '   SQLSTATE' :LAST_ERROR_SQLSTATE
\echo '-- setting a balance by hand:'
UPDATE balances SET balance = '1000000.00 USD' WHERE account_id = :ana;
\echo '   SQLSTATE' :LAST_ERROR_SQLSTATE

\echo
\echo '7. Several calls in one transaction commit together or not at all: the second payment fails,'
\echo '   so the first one is rolled back with it.'
BEGIN;
SELECT transfer(:ana, :shop, '10.00 USD', 'order-1002') AS order_1002;
SELECT transfer(:ana, :shop, '500.00 USD', 'order-1003');
\echo '   SQLSTATE' :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT count(*) AS "transfers with key order-1002" FROM transfers WHERE idempotency_key = 'order-1002';

\echo
\echo '8. ana''s statement, newest first, with the running balance after each entry.'
SELECT account_version, transfer_id, amount, balance_after, counterparty, metadata
  FROM statement(:ana);

\echo
\echo '9. Balances per currency. The external accounts hold minus what came in, so every currency'
\echo '   sums to exactly zero.'
SELECT currency, sum(balance) AS total, count(*) AS accounts FROM account_balances
 GROUP BY currency ORDER BY currency;
SELECT name, balance, slots, version FROM account_balances ORDER BY id;

\echo
\echo '10. verify() checks every invariant of the ledger; no rows means all hold.'
SELECT * FROM verify();

\echo
\echo '11. The change feed: every committed transfer gets a position, 1, 2, 3, ... in the order'
\echo '    they committed (ids are not that order). A prepared transaction stands in for a'
\echo '    transaction still open in another session (this needs max_prepared_transactions > 0;'
\echo '    two psql windows show the same): it makes a deposit first, so with the lower id, and'
\echo '    commits last.'
SELECT feed_tick() AS positions_so_far \gset
BEGIN;
SELECT deposit(:ana, '1.00 USD', 'slow-deposit') AS slow_deposit \gset
PREPARE TRANSACTION 'slow';
SELECT deposit(:shop, '2.00 USD', 'quick-deposit') AS quick_deposit \gset
SELECT :slow_deposit < :quick_deposit AS "slow has the lower id";
SELECT feed_tick() - :positions_so_far AS "positions added by this tick";
SELECT position - :positions_so_far AS position, idempotency_key, amount
  FROM changes(:positions_so_far);
COMMIT PREPARED 'slow';
SELECT feed_tick() - :positions_so_far AS "positions added by then";
SELECT position - :positions_so_far AS position, idempotency_key, amount
  FROM changes(:positions_so_far);
\echo '    A consumer applies the feed exactly once: it reads after its cursor and moves the cursor'
\echo '    in the same transaction as its own writes.'
SELECT create_consumer('mailer', :positions_so_far);
BEGIN;
SELECT position - :positions_so_far AS position, idempotency_key FROM feed_next('mailer');
SELECT feed_ack('mailer', :positions_so_far, :positions_so_far + 2);
COMMIT;
SELECT count(*) AS "left for mailer" FROM feed_next('mailer');
