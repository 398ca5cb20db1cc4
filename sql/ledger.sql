-- The ledger: accounts, transfer, withdraw, deposit, balance, statement, verify, and every error.
SET search_path = public, ledger;

-- Accounts. The default min_balance ('0 XXX') forbids overdraft; NULL means no lower bound.
-- Ids go into psql variables (:alice, ...) for the calls below.
SELECT create_account('alice', 'USD') AS alice,
       create_account('bob', 'usd', max_balance => '500 USD') AS bob,
       create_account('credit line', 'USD', NULL, NULL, '{"kind": "liability"}') AS credit,
       create_account('yen', 'JPY', '-1000 JPY') AS yen \gset
SELECT id AS usd_external FROM accounts WHERE is_external AND currency = 'USD' \gset
SELECT id, name, currency, balance, min_balance, max_balance, version, slots, is_external, metadata
FROM account_balances ORDER BY id;

SELECT error_of($$SELECT ledger.create_account('alice', 'USD')$$);
SELECT error_of($$SELECT ledger.create_account('external:USD', 'USD')$$);
SELECT error_of($$SELECT ledger.create_account('', 'USD')$$);
SELECT error_of($$SELECT ledger.create_account('carol', 'XYZ')$$);
SELECT error_of($$SELECT ledger.create_account('carol', 'USD', '0 EUR')$$);
SELECT error_of($$SELECT ledger.create_account('carol', 'USD', '1 XXX')$$);
SELECT error_of($$SELECT ledger.create_account('carol', 'USD', '10 USD', '5 USD')$$);
SELECT error_of($$SELECT ledger.create_account(NULL, 'USD')$$);
SELECT error_of($$SELECT ledger.create_account('carol', NULL)$$);
SELECT count(*) AS accounts_after_errors FROM accounts;

-- Deposits come from the external account; withdrawals go to it; transfers move between two.
SELECT deposit(:alice, '100.00 USD') AS t1, deposit(:yen, '1000 JPY') AS t2;
SELECT transfer(:alice, :bob, '30.00 USD', metadata => '{"invoice": 17}') AS t3;
SELECT withdraw(:bob, '10.00 USD', 'withdraw-1') AS t4;
SELECT transfer(:credit, :alice, '25.00 USD') AS t5;  -- a credit line may go below zero
SELECT id, name, balance, version, slots FROM account_balances ORDER BY id;
SELECT balance(:alice) AS alice, balance(:credit) AS credit_line;
SELECT id, from_account, to_account, amount, idempotency_key, metadata FROM transfers ORDER BY id;
-- An external account has 16 slots, and which one a call takes depends on the backend: its
-- entries' slot, version and balance_after are left out here.
SELECT e.account_id, nullif(e.account_version, e.account_version * a.is_external::int) AS account_version,
       e.transfer_id, e.amount, CASE WHEN NOT a.is_external THEN e.balance_after END AS balance_after,
       CASE WHEN NOT a.is_external THEN e.slot END AS slot
  FROM entries e JOIN accounts a ON a.id = e.account_id
 ORDER BY e.transfer_id, e.account_id;
SELECT * FROM verify();

-- Statements: running balance, newest or oldest first, paged by account_version.
SELECT account_version, transfer_id, amount, balance_after, counterparty, metadata
FROM statement(:alice);
SELECT account_version, amount, balance_after FROM statement(:alice, newest_first => false, page_size => 2);
SELECT account_version, amount, balance_after
FROM statement(:alice, newest_first => false, page_size => 2, after_version => 2);
SELECT account_version, amount FROM statement(:alice, page_size => 1, after_version => 3);

-- Idempotency: the same key and arguments return the original transfer and write nothing.
SELECT withdraw(:bob, '10.00 USD', 'withdraw-1') AS same_id,
       (SELECT count(*) FROM transfers) AS transfers, balance(:bob) AS bob;
SELECT transfer(:alice, :bob, '1.00 USD', 'pay-1', '{"n": 1}') AS first,
       transfer(:alice, :bob, '1.00 USD', 'pay-1', '{"n": 1}') AS repeated;
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''2.00 USD'', ''pay-1'', ''{"n": 1}'')', :alice, :bob));
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1.00 USD'', ''pay-1'', ''{"n": 1}'')', :alice, :credit));
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1.00 USD'', ''pay-1'', ''{"n": 2}'')', :alice, :bob));
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1.00 USD'', ''pay-1'')', :alice, :bob));
SELECT error_of(format('SELECT ledger.deposit(%s, ''10.00 USD'', ''withdraw-1'')', :bob));

-- Compare-and-swap on the caller's account version.
SELECT version AS alice_version FROM account_balances WHERE id = :alice;
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1.00 USD'', expected_version => 3)', :alice, :bob));
SELECT transfer(:alice, :bob, '1.00 USD', expected_version => 4) AS with_current_version;
SELECT error_of(format('SELECT ledger.withdraw(%s, ''1.00 USD'', expected_version => 4)', :alice));
SELECT error_of(format('SELECT ledger.deposit(%s, ''1.00 USD'', expected_version => 4)', :alice));
SELECT deposit(:alice, '1.00 USD', expected_version => 5) AS deposit_with_version;

-- Every refusal has its own SQLSTATE, names the accounts and amounts, and writes nothing.
CREATE TABLE snapshot AS
    SELECT (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM entries) AS entries,
           (SELECT string_agg(account_id || '/' || slot || ':' || balance::text || ':' || version, ','
                              ORDER BY account_id, slot)
              FROM balances) AS balances;
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1000.00 USD'')', :alice, :bob));
SELECT error_of(format('SELECT ledger.withdraw(%s, ''1000.00 USD'')', :alice));
SELECT error_of(format('SELECT ledger.deposit(%s, ''1000.00 USD'')', :bob));
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1.00 USD'')', :alice, :yen));
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1 JPY'')', :alice, :bob));
SELECT error_of(format('SELECT ledger.deposit(%s, ''1.00 EUR'')', :alice));
SELECT error_of(format('SELECT ledger.transfer(%s, 99, ''1.00 USD'')', :alice));
SELECT error_of(format('SELECT ledger.transfer(99, %s, ''1.00 USD'')', :alice));
SELECT error_of($$SELECT ledger.withdraw(99, '1.00 USD')$$);
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1.00 USD'')', :alice, :alice));
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''0.00 USD'')', :alice, :bob));
SELECT error_of(format('SELECT ledger.withdraw(%s, ''-1.00 USD'')', :alice));
SELECT error_of(format('SELECT ledger.transfer(NULL, %s, ''1.00 USD'')', :bob));
SELECT error_of(format('SELECT ledger.transfer(%s, NULL, ''1.00 USD'')', :alice));
SELECT error_of(format('SELECT ledger.transfer(%s, %s, NULL)', :alice, :bob));
SELECT error_of($$SELECT ledger.deposit(NULL, '1.00 USD')$$);
SELECT error_of(format('SELECT ledger.withdraw(%s, NULL)', :alice));
SELECT error_of($$SELECT ledger.balance(99)$$);
SELECT s.* = n.* AS nothing_written
FROM snapshot s,
     (SELECT (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM entries) AS entries,
             (SELECT string_agg(account_id || '/' || slot || ':' || balance::text || ':' || version, ','
                                ORDER BY account_id, slot)
                FROM balances) AS balances) n;

-- The log is append-only and balances change only through the ledger's functions, even for
-- the owner.
SELECT error_of($$UPDATE ledger.transfers SET amount = '1000 USD'$$);
SELECT error_of($$DELETE FROM ledger.transfers$$);
SELECT error_of($$TRUNCATE ledger.transfers CASCADE$$);
SELECT error_of($$UPDATE ledger.entries SET amount = '0 USD'$$);
SELECT error_of($$DELETE FROM ledger.entries$$);
SELECT error_of($$TRUNCATE ledger.entries$$);
SELECT error_of(format('UPDATE ledger.balances SET balance = ''1000000.00 USD'' WHERE account_id = %s', :alice));
SELECT error_of(format('DELETE FROM ledger.balances WHERE account_id = %s', :alice));
SELECT error_of($$TRUNCATE ledger.balances$$);
SELECT error_of(format('UPDATE ledger.accounts SET name = ''mallory'' WHERE id = %s', :alice));
SELECT error_of(format('DELETE FROM ledger.accounts WHERE id = %s', :bob));
SELECT error_of($$TRUNCATE ledger.accounts CASCADE$$);
SELECT * FROM verify();

-- Overflow of a balance is refused like any other failure.
SELECT create_account('whale', 'JPY', NULL) AS whale, create_account('reserve', 'JPY') AS reserve \gset
SELECT transfer(:whale, :reserve, '170141183460469231731687303715884105727 JPY') > 0 AS moved;
SELECT balance(:whale) AS whale, balance(:reserve) AS reserve;
SELECT error_of(format('SELECT ledger.deposit(%s, ''1 JPY'')', :reserve));
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1 JPY'')', :whale, :yen));
SELECT * FROM verify();
-- verify() sums in numeric: legitimate balances whose running total would overflow monetary.
SELECT create_account('whale 2', 'JPY', NULL) AS whale2, create_account('reserve 2', 'JPY') AS reserve2 \gset
SELECT transfer(:whale2, :reserve2, '170141183460469231731687303715884105727 JPY') > 0 AS moved;
SELECT withdraw(:reserve, '1 JPY') > 0 AS withdrawn;
SELECT * FROM verify();

-- transfer() cannot move money in or out of the world: that is what deposit() and withdraw(),
-- granted separately, are for.
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1.00 USD'')', :usd_external, :alice));
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''1.00 USD'')', :alice, :usd_external));
-- deposit() and withdraw() imply the external account; naming it is refused the same way (it was
-- LG105, "from account 1 to itself", before), whatever the amount's currency.
SELECT error_of(format('SELECT ledger.deposit(%s, ''1.00 USD'')', :usd_external));
SELECT error_of(format('SELECT ledger.withdraw(%s, ''1.00 USD'')', :usd_external));
SELECT error_of(format('SELECT ledger.deposit(%s, ''1.00 EUR'')', :usd_external));

-- Keys and names are at most 255 bytes: a longer one is refused up front with a documented
-- error, not PostgreSQL's index-size one. (Messages that quote input are cut, if ever needed, at a
-- character boundary.)
SELECT error_of(format('SELECT ledger.transfer(%s, %s, ''2.00 USD'', repeat(''é'', 128))', :alice, :bob));
SELECT error_of($$SELECT ledger.create_account(repeat('x', 256), 'USD')$$);
SELECT transfer(:alice, :bob, '1.00 USD', repeat('é', 127)) > 0 AS longest_key_accepted;

-- statement() refuses what it cannot answer instead of returning nothing.
SELECT error_of('SELECT * FROM ledger.statement(99)') AS unknown_account;
SELECT error_of(format('SELECT * FROM ledger.statement(%s, true, NULL)', :alice)) AS null_page_size;
SELECT error_of(format('SELECT * FROM ledger.statement(%s, NULL, 10, 2)', :alice)) AS null_direction;
SELECT error_of(format('SELECT * FROM ledger.statement(%s, true, -1)', :alice)) AS negative_page;
SELECT error_of('SELECT * FROM ledger.statement(NULL)') AS null_account;

-- An account opens at zero, within its own limits.
SELECT error_of($$SELECT ledger.create_account('born short', 'EUR', '10 EUR')$$) AS min_above_zero;
SELECT error_of($$SELECT ledger.create_account('born over', 'EUR', NULL, '-5 EUR')$$) AS max_below_zero;
SELECT create_account('zero limits', 'EUR', '0 EUR', '0 EUR') > 0 AS zero_limits_accepted;

-- verify() reports corruption that only a superuser in replica mode can write: a balance in
-- another currency, outside its limits, a broken balance_after chain, an entry in another
-- currency than its account, and amounts whose minor units disagree with their currency.
SELECT create_account('corrupt', 'EUR', NULL, '100 EUR') AS corrupt \gset
SELECT deposit(:corrupt, '5 EUR') > 0 AS first, deposit(:corrupt, '7 EUR') > 0 AS second;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ledger.balances SET balance = '12 USD' WHERE account_id = :corrupt;
SELECT invariant, detail FROM verify() WHERE subject LIKE 'account ' || :corrupt || ' %' ORDER BY 1, 2;
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ledger.accounts SET max_balance = '10 EUR' WHERE id = :corrupt;
UPDATE ledger.balances SET max_share = '10 EUR' WHERE account_id = :corrupt;
SELECT invariant, detail FROM verify() WHERE subject LIKE 'account ' || :corrupt || ' %' ORDER BY 1, 2;
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ledger.entries SET balance_after = '6 EUR' WHERE account_id = :corrupt AND account_version = 1;
SELECT invariant, subject, detail FROM verify() ORDER BY 1, 2;
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ledger.entries SET amount = '7 JPY', balance_after = '12 JPY'
 WHERE account_id = :corrupt AND account_version = 2;
SELECT invariant, subject FROM verify() ORDER BY 1, 2;
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
-- A transfer whose amount is no longer its entries' amount.
UPDATE ledger.transfers SET amount = ledger.monetary(5, 'KWD') WHERE id = (SELECT max(id) FROM ledger.transfers);
SELECT invariant, subject FROM verify() ORDER BY 1, 2;
ROLLBACK;
SELECT count(*) AS violations FROM verify();

-- A refusal tells a caller who cannot read the accounts only what the caller supplied; balances,
-- limits, versions and other transfers' ids are in the DETAIL for callers who may read them.
CREATE FUNCTION public.error_and_detail_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' DETAIL: ' || nullif(detail, ''), '');
END
$$;
SELECT create_account('disclosure payer', 'EUR') AS payer, create_account('disclosure payee', 'EUR', '0 EUR', '5 EUR') AS payee \gset
SELECT deposit(:payer, '20 EUR', 'disclosure-key') > 0 AS funded;
CREATE ROLE regress_mover;
CREATE ROLE regress_reading_mover;
GRANT USAGE ON SCHEMA ledger TO regress_mover, regress_reading_mover;
GRANT EXECUTE ON FUNCTION ledger.transfer(bigint, bigint, ledger.monetary, text, jsonb, bigint),
    ledger.deposit(bigint, ledger.monetary, text, jsonb, bigint) TO regress_mover, regress_reading_mover;
GRANT SELECT ON ledger.accounts, ledger.balances TO regress_reading_mover;
CREATE TEMP TABLE disclosure_probes AS
SELECT * FROM (VALUES
    ('funds', format('SELECT ledger.transfer(%s, %s, ''50 EUR'')', :payer, :payee)),
    ('maximum', format('SELECT ledger.transfer(%s, %s, ''6 EUR'')', :payer, :payee)),
    ('version', format('SELECT ledger.transfer(%s, %s, ''1 EUR'', NULL, NULL, 7)', :payer, :payee)),
    ('key', format('SELECT ledger.deposit(%s, ''21 EUR'', ''disclosure-key'')', :payer))) p(probe, statement);
GRANT SELECT ON disclosure_probes TO regress_mover, regress_reading_mover;
SET ROLE regress_mover;
SELECT probe, public.error_and_detail_of(statement) AS error FROM disclosure_probes ORDER BY 1;
RESET ROLE;
SET ROLE regress_reading_mover;
SELECT probe, public.error_and_detail_of(statement) AS error FROM disclosure_probes ORDER BY 1;
RESET ROLE;
-- Row-level security that hides accounts from a reader hides their figures too.
BEGIN;
ALTER TABLE ledger.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_accounts ON ledger.accounts FOR SELECT TO regress_reading_mover
    USING (name = current_user);
SET LOCAL ROLE regress_reading_mover;
SELECT count(*) AS visible_accounts FROM ledger.accounts;
SELECT probe, public.error_and_detail_of(statement) AS error FROM disclosure_probes ORDER BY 1;
-- A reader that bypasses row-level security reads every row, and so sees the figures.
RESET ROLE;
ALTER ROLE regress_reading_mover BYPASSRLS;
SET LOCAL ROLE regress_reading_mover;
SELECT probe, public.error_and_detail_of(statement) AS error FROM disclosure_probes
 WHERE probe = 'funds';
ROLLBACK;
DROP OWNED BY regress_mover, regress_reading_mover;
DROP ROLE regress_mover, regress_reading_mover;
