// The retry path, made deterministic: the service's first attempt takes its snapshot, then a
// second session commits a transfer on the same account before the first attempt calls
// ledger.transfer, which must then fail with 40001. REPEATABLE READ rather than SERIALIZABLE, so
// that only that row conflict (never a predicate-lock false positive from the other test files
// running at the same time) can fail the attempt.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Money, TransactionConflict } from '../src/index.js';
import { newLedger, openPool, run, scalar, violations } from './helpers.js';

const gbp = (text) => Money.parse(`${text} GBP`);

describe('retry on 40001', () => {
  let pool;
  let setup;
  let alice;
  let bob;

  before(async () => {
    pool = await openPool();
    setup = newLedger(pool);
    alice = await setup.createAccount(`retry-${run}-alice`, 'GBP');
    bob = await setup.createAccount(`retry-${run}-bob`, 'GBP');
    await setup.deposit(alice, gbp('100.00'), `retry-${run}-fund`);
  });
  after(() => pool.end());

  // On the first attempt only: take the snapshot, then let another session change alice.
  const interleave = (attempts, label) => async (client, attempt) => {
    attempts.push(attempt);
    if (attempt !== 1) return;
    await client.query('SELECT ledger.balance($1)', [alice]);
    await setup.transfer(alice, bob, gbp('10.00'), `retry-${run}-${label}-interloper`);
  };

  test('a transfer whose account changed after its snapshot is retried exactly once', async () => {
    const attempts = [];
    const ledger = newLedger(pool, { isolation: 'REPEATABLE READ', beforeCall: interleave(attempts, 'once') });
    const key = `retry-${run}-once`;
    const before = { alice: await setup.balance(alice), bob: await setup.balance(bob) };

    const id = await ledger.transfer(alice, bob, gbp('25.00'), key);

    assert.deepEqual(attempts, [1, 2]);
    assert.equal(ledger.retries, 1);
    const { rows } = await pool.query(
      'SELECT id::text, amount FROM ledger.transfers WHERE idempotency_key = $1', [key]);
    assert.deepEqual(rows.map((r) => [r.id, r.amount.toString()]), [[id, '25.00 GBP']]);
    assert.equal((await setup.balance(alice)).toString(), before.alice.subtract(gbp('35.00')).toString());
    assert.equal((await setup.balance(bob)).toString(), before.bob.add(gbp('35.00')).toString());
    assert.equal(await violations(pool), 0);
  });

  test('when the attempts run out the conflict is raised and nothing is written', async () => {
    const attempts = [];
    const ledger = newLedger(pool, {
      isolation: 'REPEATABLE READ', maxAttempts: 1, beforeCall: interleave(attempts, 'exhausted'),
    });
    const key = `retry-${run}-exhausted`;
    const err = await ledger.transfer(alice, bob, gbp('5.00'), key).then(
      () => assert.fail('the transfer succeeded'), (e) => e);
    assert.ok(err instanceof TransactionConflict, `${err.name}: ${err.message}`);
    assert.equal(err.sqlstate, '40001');
    assert.equal(err.attempts, 1);
    assert.deepEqual(attempts, [1]);
    assert.equal(ledger.retries, 0);
    assert.equal(await scalar(pool, 'SELECT count(*)::int FROM ledger.transfers WHERE idempotency_key = $1', [key]), 0);
  });
});
