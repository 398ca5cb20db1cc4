// 8 workers x 200 transfers between 6 accounts, all in flight at once: each worker awaits its
// own transaction, so at any moment up to 8 transactions hold 8 different pooled connections
// (pool max 10). Each run uses a currency of its own, so the other test files cannot disturb
// its sums.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InsufficientFunds, Money } from '../src/index.js';
import { newLedger, openPool, run, scalar, violations } from './helpers.js';

const WORKERS = 8;
const TRANSFERS_PER_WORKER = 200;
const ACCOUNTS = 6;

const randomInt = (n) => Math.floor(Math.random() * n); // which accounts, how much: not money

async function hammer(pool, { currency, isolation }) {
  const ledger = newLedger(pool, { isolation, maxAttempts: 50 });
  const prefix = `conc-${run}-${currency}`;
  const ids = [];
  for (let i = 0; i < ACCOUNTS; i += 1) ids.push(await ledger.createAccount(`${prefix}-${i}`, currency));

  const funding = Money.parse(`200.00 ${currency}`);
  const expected = new Map(ids.map((id) => [id, funding]));
  for (const id of ids) await ledger.deposit(id, funding, `${prefix}-fund-${id}`);
  const deposited = new Money(funding.minor * BigInt(ACCOUNTS), currency, 2);

  const made = new Map(); // transfer id -> what was asked for
  let refused = 0;
  const worker = async (w) => {
    for (let i = 0; i < TRANSFERS_PER_WORKER; i += 1) {
      const from = ids[randomInt(ACCOUNTS)];
      const to = ids[(ids.indexOf(from) + 1 + randomInt(ACCOUNTS - 1)) % ACCOUNTS];
      const amount = new Money(BigInt(1 + randomInt(8000)), currency, 2); // 0.01 to 80.00
      const key = `${prefix}-w${w}-${i}`;
      try {
        const id = await ledger.transfer(from, to, amount, key);
        assert.ok(!made.has(id), `transfer id ${id} returned twice`);
        made.set(id, { from, to, amount, key });
        expected.set(from, expected.get(from).subtract(amount));
        expected.set(to, expected.get(to).add(amount));
      } catch (err) {
        if (!(err instanceof InsufficientFunds)) throw err;
        refused += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));

  const { rows: accounts } = await pool.query(
    'SELECT id::text, balance, min_balance FROM ledger.account_balances WHERE id = ANY($1::bigint[])', [ids]);
  // Money conserved, and no update lost: every balance is what the successful transfers imply.
  for (const a of accounts) assert.equal(a.balance.toString(), expected.get(a.id).toString(), `account ${a.id}`);
  assert.equal(accounts.reduce((sum, a) => sum.add(a.balance), new Money(0n, currency, 2)).toString(),
    deposited.toString());
  for (const a of accounts) assert.ok(a.balance.compare(a.min_balance) >= 0, `account ${a.id} below its minimum`);

  // Every currency, external accounts included, sums to zero. sum() over ledger.monetary lives
  // in pg_catalog, so it needs neither a schema nor a search_path.
  const { rows: sums } = await pool.query(
    'SELECT currency, sum(balance) AS total FROM ledger.account_balances GROUP BY currency');
  for (const s of sums) assert.ok(s.total.isZero(), `${s.currency} sums to ${s.total}`);

  const { rows: stored } = await pool.query(
    `SELECT id::text, from_account::text, to_account::text, amount, idempotency_key FROM ledger.transfers
      WHERE from_account = ANY($1::bigint[]) OR to_account = ANY($1::bigint[])`, [ids]);
  assert.equal(stored.length, ACCOUNTS + made.size); // the deposits and the successful transfers
  assert.equal(made.size + refused, WORKERS * TRANSFERS_PER_WORKER);
  const byId = new Map(stored.map((t) => [t.id, t]));
  for (const [id, asked] of made) {
    const row = byId.get(id);
    assert.ok(row, `transfer ${id} is missing`);
    assert.deepEqual([row.from_account, row.to_account, row.amount.toString(), row.idempotency_key],
      [asked.from, asked.to, asked.amount.toString(), asked.key]);
  }
  assert.equal(await violations(pool), 0);
  return { made: made.size, refused, retries: ledger.retries };
}

describe('concurrent transfers', () => {
  let pool;
  before(async () => { pool = await openPool(); });
  after(() => pool.end());

  test('under READ COMMITTED: locks serialise them, nothing is lost', async (t) => {
    const result = await hammer(pool, { currency: 'CHF', isolation: 'READ COMMITTED' });
    t.diagnostic(`READ COMMITTED: ${result.made} transfers, ${result.refused} insufficient funds, ${result.retries} retries`);
    // Row locks make concurrent calls wait, never fail: there is nothing to retry.
    assert.equal(result.retries, 0);
  });

  test('under SERIALIZABLE: conflicts raise 40001 and are retried', async (t) => {
    const result = await hammer(pool, { currency: 'SEK', isolation: 'SERIALIZABLE' });
    t.diagnostic(`SERIALIZABLE: ${result.made} transfers, ${result.refused} insufficient funds, ${result.retries} retries`);
    // 8 writers on 6 accounts collide hundreds of times a run: none would mean no retry happened.
    assert.ok(result.retries > 0);
  });
});
