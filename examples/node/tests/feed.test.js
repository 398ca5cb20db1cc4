// The change feed consumed from another database: its position moves in the same transaction as
// its effects, so every change is applied exactly once, a late commit is applied after the
// transfers that committed before it, and a feed that no longer matches what was applied is
// refused. Other test files write transfers meanwhile: assertions look at this file's keys.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { FeedConsumer, FeedDiverged, Money, createConsumerTables } from '../src/index.js';
import { newLedger, openPool, run, scalar } from './helpers.js';

const shopDatabase = process.env.LEDGER_FEED_CONSUMER_DATABASE;
let pool;
let shop;
let ledger;
let alice;
let bob;
let carol;
let dave;

before(async () => {
  pool = await openPool();
  shop = new pg.Pool({ database: shopDatabase, max: 4 });
  await createConsumerTables(shop);
  await shop.query(`CREATE TABLE IF NOT EXISTS receipts (
      transfer_id bigint PRIMARY KEY, position bigint NOT NULL, key text, amount text)`);
  ledger = newLedger(pool);
  alice = await scalar(pool, 'SELECT ledger.create_account($1, $2)', [`${run}-feed-alice`, 'USD']);
  bob = await scalar(pool, 'SELECT ledger.create_account($1, $2)', [`${run}-feed-bob`, 'USD']);
  carol = await scalar(pool, 'SELECT ledger.create_account($1, $2)', [`${run}-feed-carol`, 'USD']);
  dave = await scalar(pool, 'SELECT ledger.create_account($1, $2)', [`${run}-feed-dave`, 'USD']);
  await ledger.deposit(alice, Money.parse('100.00 USD'), `${run}-feed-alice-funds`);
  await ledger.deposit(carol, Money.parse('100.00 USD'), `${run}-feed-carol-funds`);
});

after(async () => {
  await shop.end();
  await pool.end();
});

// Writes one receipt per change, in the consumer's transaction; a duplicate would violate the
// primary key and fail the batch.
function consumer(name, { failAfterWrites = 0 } = {}) {
  let failures = failAfterWrites;
  return new FeedConsumer(pool, shop, {
    name,
    batchSize: 50,
    async apply(client, changes) {
      for (const change of changes) {
        await client.query('INSERT INTO receipts VALUES ($1, $2, $3, $4)',
          [change.transfer_id, change.position, change.idempotency_key, change.amount.toString()]);
      }
      if (failures > 0) {
        failures -= 1;
        throw new Error('the consumer died between its writes and its commit');
      }
    },
  });
}

async function receiptsOf(prefix) {
  const { rows } = await shop.query(
    'SELECT key, count(*)::int AS n FROM receipts WHERE key LIKE $1 GROUP BY key ORDER BY min(position)',
    [`${prefix}%`]);
  return rows;
}

test('each change is applied once, also after a failure between the writes and the commit', async () => {
  for (let i = 1; i <= 3; i += 1) {
    await ledger.transfer(alice, bob, Money.parse('1.00 USD'), `${run}-once-${i}`);
  }
  const failing = consumer('receipts', { failAfterWrites: 1 });
  await assert.rejects(failing.applyNext(), /died between its writes/);
  await failing.drain();
  await consumer('receipts').drain();
  assert.deepEqual(await receiptsOf(`${run}-once-`),
    [1, 2, 3].map((i) => ({ key: `${run}-once-${i}`, n: 1 })));
  const { rows: [at] } = await shop.query("SELECT position FROM feed_positions WHERE consumer = 'receipts'");
  assert.equal(at.position, await scalar(pool, 'SELECT max(position)::text FROM ledger.feed'));
});

test('a transfer that commits late is applied after those that committed before it, once', async () => {
  const late = await pool.connect();
  try {
    await late.query('BEGIN');
    await late.query('SELECT ledger.transfer($1, $2, $3, $4)',
      [alice, bob, '2.00 USD', `${run}-order-late`]);
    // Between other accounts: the open transaction holds alice and bob.
    await ledger.transfer(carol, dave, Money.parse('3.00 USD'), `${run}-order-early`);
    await consumer('receipts').drain();
    assert.deepEqual(await receiptsOf(`${run}-order-`), [{ key: `${run}-order-early`, n: 1 }]);
    await late.query('COMMIT');
  } finally {
    late.release();
  }
  await consumer('receipts').drain();
  assert.deepEqual(await receiptsOf(`${run}-order-`),
    [{ key: `${run}-order-early`, n: 1 }, { key: `${run}-order-late`, n: 1 }]);
});

test('a tick anywhere wakes a listening consumer', async () => {
  const waiter = consumer('receipts');
  const listener = await waiter.listen();
  try {
    await ledger.transfer(alice, bob, Money.parse('0.50 USD'), `${run}-wake`);
    await pool.query('SELECT ledger.feed_tick()');
    const position = await listener.next(10000);
    assert.ok(position >= 1, `notified ${position}`);
  } finally {
    await listener.close();
  }
  await waiter.drain();
  assert.deepEqual(await receiptsOf(`${run}-wake`), [{ key: `${run}-wake`, n: 1 }]);
});

test('a consumer whose last position names another transfer now stops', async () => {
  const name = `${run}-diverged`;
  const counting = new FeedConsumer(pool, shop, { name, apply: async () => {} });
  await counting.drain();
  await shop.query('UPDATE feed_positions SET transfer_id = -1 WHERE consumer = $1', [name]);
  await assert.rejects(counting.applyNext(), FeedDiverged);
});
