// Shared by the test files. node --test runs the files in parallel processes against one
// database, so every file names its accounts with a unique prefix and asserts only on them
// (or on invariants that hold whatever else runs, like verify()).
import { randomUUID } from 'node:crypto';
import { Ledger, connect } from '../src/index.js';

export const run = randomUUID().slice(0, 8);

export async function openPool() {
  return connect({ max: 10 });
}

export function newLedger(pool, options = {}) {
  return new Ledger(pool, { baseDelayMs: 1, maxDelayMs: 20, ...options });
}

export async function scalar(pool, sql, params = []) {
  const { rows: [row] } = await pool.query(sql, params);
  return Object.values(row)[0];
}

/**
 * Balances by account id, plus the transfers touching those accounts: what "nothing written"
 * compares. ledger.account_balances sums each account's slots (ledger.balances); its version is
 * null while the account is split, as external accounts are.
 */
export async function snapshot(pool, ids) {
  const { rows } = await pool.query(
    'SELECT id::text, balance, version::text FROM ledger.account_balances WHERE id = ANY($1::bigint[]) ORDER BY id', [ids]);
  const transfers = await scalar(pool,
    `SELECT count(*)::int FROM ledger.transfers
      WHERE from_account = ANY($1::bigint[]) OR to_account = ANY($1::bigint[])`, [ids]);
  return { accounts: rows.map((r) => `${r.id}: ${r.balance} v${r.version}`), transfers };
}

export async function violations(pool) {
  return scalar(pool, 'SELECT count(*)::int FROM ledger.verify()');
}
