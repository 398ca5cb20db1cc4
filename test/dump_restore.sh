#!/usr/bin/env bash
# Registered currencies, monetary values and the ledger survive pg_dump and pg_restore, also in a
# schema whose data pg_restore loads before the extension's own tables. Runs inside
# scripts/with-cluster; prints TAP.
set -euo pipefail
source_db=ledger_dump_source
target_db=ledger_dump_target
dump_file=$(mktemp -t ledger-dump.XXXXXX)
trap 'rm -f "$dump_file"' EXIT
sql() { psql -qXAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

echo "1..10"
sql postgres "CREATE DATABASE $source_db"
sql "$source_db" "CREATE EXTENSION ledger;
    SELECT ledger.create_currency('ETH', 18, 'Ether');
    SELECT ledger.create_currency('POINTS', 0);
    CREATE SCHEMA accounts;  -- sorts before ledger: its data is restored first
    CREATE TABLE accounts.holdings (id int PRIMARY KEY, amount ledger.monetary NOT NULL);
    INSERT INTO accounts.holdings VALUES (1, '1.000000000000000001 ETH'), (2, '250 POINTS'),
                                       (3, '-12.34 USD'), (4, '1000 JPY');
    SELECT ledger.create_account('alice', 'USD'), ledger.create_account('bob', 'USD'),
           ledger.create_account('wallet', 'ETH', NULL, NULL, '{\"chain\": 1}');
    SELECT ledger.deposit(id, '100.00 USD', 'dep-' || name) FROM ledger.accounts
     WHERE name IN ('alice', 'bob');
    SELECT ledger.transfer(a.id, b.id, '12.34 USD', 'pay-1', '{\"order\": 7}')
      FROM ledger.accounts a, ledger.accounts b WHERE a.name = 'alice' AND b.name = 'bob';
    SELECT ledger.deposit(id, '0.000000000000000001 ETH') FROM ledger.accounts
     WHERE name = 'wallet';
    SELECT ledger.split_account(id, 3) FROM ledger.accounts WHERE name = 'bob';
    SELECT ledger.transfer(b.id, a.id, '50.00 USD')
      FROM ledger.accounts a, ledger.accounts b WHERE a.name = 'alice' AND b.name = 'bob';" >/dev/null
# The feed: a tick (in a transaction of its own), a consumer at position 2, and a transfer that
# no tick has seen when the dump is taken.
sql "$source_db" "SELECT ledger.feed_tick()" >/dev/null
sql "$source_db" "SELECT ledger.create_consumer('mailer'); SELECT ledger.feed_ack('mailer', 0, 2);
    SELECT ledger.transfer(a.id, b.id, '5.00 USD', 'after-last-tick')
      FROM ledger.accounts a, ledger.accounts b WHERE a.name = 'alice' AND b.name = 'bob';" >/dev/null
pg_dump -Fc -d "$source_db" -f "$dump_file"
sql postgres "CREATE DATABASE $target_db"
pg_restore -d "$target_db" --exit-on-error "$dump_file"

check() {  # description, query: the query must return the same text in both databases
    local before after
    before=$(sql "$source_db" "$2")
    after=$(sql "$target_db" "$2")
    if [ "$before" = "$after" ] && [ -n "$after" ]; then
        echo "ok - $1"
    else
        echo "not ok - $1"
        echo "# before: $before"
        echo "# after:  $after"
    fi
}
check "registered currencies are restored" \
    "SELECT string_agg(code || ':' || minor_units, ',' ORDER BY code) FROM ledger.custom_currencies"
check "monetary values are restored exactly" \
    "SELECT string_agg(id || '=' || amount::text, ',' ORDER BY id) FROM accounts.holdings"
check "restored currencies accept new values" \
    "SELECT ('0.5 ETH'::ledger.monetary OPERATOR(pg_catalog.+) '0.000000000000000001 ETH')::text"
check "accounts are restored with their slots: balances, shares and versions" \
    "SELECT (SELECT string_agg(concat_ws('|', id, name, min_balance, max_balance, is_external,
                                         metadata), ',' ORDER BY id) FROM ledger.accounts)
         || (SELECT string_agg(concat_ws('|', account_id, slot, slots, is_external, balance,
                                         min_share, max_share, version), ',' ORDER BY 1, 2)
               FROM ledger.balances)"
check "transfers and entries are restored" \
    "SELECT (SELECT string_agg(concat_ws('|', id, from_account, to_account, amount, idempotency_key,
                                         metadata, created_at), ',' ORDER BY id) FROM ledger.transfers)
         || (SELECT string_agg(concat_ws('|', account_id, slot, account_version, transfer_id, amount,
                                         balance_after), ',' ORDER BY 1, 2, 3) FROM ledger.entries)"
check "the feed, its state and its consumers are restored with their positions" \
    "SELECT (SELECT string_agg(position || ':' || transfer_id, ',' ORDER BY position) FROM ledger.feed)
         || '|' || (SELECT last_position FROM ledger.feed_state)
         || '|' || (SELECT string_agg(consumer || ':' || position, ',') FROM ledger.feed_consumers)"
# In the restored database the first tick resynchronizes (another system identifier): the transfer
# the dump's last tick had not seen gets the next position, as a tick does in the source.
check "after the restore the first tick sequences what the last one had not, once, and verifies" \
    "SELECT ledger.feed_tick()
         || '|' || (SELECT string_agg(position || ':' || transfer_id, ',' ORDER BY position) FROM ledger.feed)
         || '|' || (SELECT count(*) FROM ledger.verify())"
check "the restored ledger verifies, repeats a keyed transfer, and takes a new one" \
    "SELECT (SELECT count(*) FROM ledger.verify())
         || '|' || ledger.transfer(a.id, b.id, '12.34 USD', 'pay-1', '{\"order\": 7}')
         || '|' || ledger.transfer(b.id, a.id, '1.00 USD', 'after-restore')
         || '|' || (SELECT count(*) FROM ledger.verify())
       FROM ledger.accounts a, ledger.accounts b WHERE a.name = 'alice' AND b.name = 'bob'"
check "restored currency definitions are read, and depend on the extension" \
    "SELECT string_agg(p.oid::regprocedure || ' ' || d.deptype::text, ',' ORDER BY p.proname)
       FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                      AND d.refclassid = 'pg_extension'::regclass
      WHERE p.proname LIKE 'currency:%' AND d.deptype = 'x'
        AND ('1 ' || substr(p.proname, 10))::ledger.monetary IS NOT NULL"
restored_immutable=$(sql "$target_db" "DO \$\$ BEGIN
        UPDATE ledger.custom_currencies SET minor_units = 2 WHERE code = 'ETH';
        RAISE EXCEPTION 'changed';
    EXCEPTION WHEN SQLSTATE 'LG005' THEN RAISE NOTICE 'refused';
    END \$\$" 2>&1)
if [ "$restored_immutable" = "psql:<stdin>:1: NOTICE:  refused" ] ||
    [ "$restored_immutable" = "NOTICE:  refused" ]; then
    echo "ok - restored currencies stay immutable"
else
    echo "not ok - restored currencies stay immutable"
    echo "# $restored_immutable"
fi
