import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AboveMaxBalance, AccountCurrencyMismatch, DuplicateAccount, ExternalAccount, IdempotencyConflict,
  InsufficientFunds, LedgerError, Money, NonPositiveAmount, SameAccount, UnknownAccount,
  VersionConflict,
} from '../src/index.js';
import { newLedger, openPool, run, scalar, snapshot, violations } from './helpers.js';

const usd = (text) => Money.parse(`${text} USD`);

describe('service', () => {
  let pool;
  let ledger;
  let alice;
  let bob;
  let external;
  let ids;

  before(async () => {
    pool = await openPool();
    ledger = newLedger(pool);
    alice = await ledger.createAccount(`svc-${run}-alice`, 'USD');
    // bob can hold at most 150.00: what LG102 needs
    bob = await ledger.createAccount(`svc-${run}-bob`, 'USD', { maxBalance: usd('150.00') });
    await ledger.deposit(alice, usd('100.00'), `svc-${run}-fund-alice`);
    await ledger.deposit(bob, usd('100.00'), `svc-${run}-fund-bob`);
    external = await scalar(pool, "SELECT id::text FROM ledger.accounts WHERE name = 'external:USD'");
    ids = [alice, bob, external];
  });
  after(() => pool.end());

  // LG101, LG102 and LG108 name only what the caller sent (the figures, its balance, limit or
  // version, are in the DETAIL, which the server sends only to roles that may read
  // ledger.accounts: the tests' role may, snapshot() reads it). The last element, where there is
  // one, is the expected message.
  const refusals = [
    ['LG101', InsufficientFunds, 'transfer more than the balance',
      () => ledger.transfer(alice, bob, usd('1000.00'), key('101')),
      () => `insufficient funds: paying 1000.00 USD would take account ${alice} below its minimum balance`],
    ['LG102', AboveMaxBalance, 'transfer above the payee\'s maximum',
      () => ledger.transfer(alice, bob, usd('60.00'), key('102')),
      () => `receiving 60.00 USD would take account ${bob} above its maximum balance`],
    ['LG103', AccountCurrencyMismatch, 'transfer EUR between USD accounts',
      () => ledger.transfer(alice, bob, Money.parse('1.00 EUR'), key('103'))],
    ['LG104', UnknownAccount, 'transfer to an account that does not exist',
      () => ledger.transfer(alice, '999999999999', usd('1.00'), key('104'))],
    ['LG105', SameAccount, 'transfer to the same account',
      () => ledger.transfer(alice, alice, usd('1.00'), key('105'))],
    ['LG106', NonPositiveAmount, 'transfer zero',
      () => ledger.transfer(alice, bob, usd('0.00'), key('106'))],
    ['LG106', NonPositiveAmount, 'transfer a negative amount',
      () => ledger.transfer(alice, bob, usd('-5.00'), key('106-negative'))],
    ['LG108', VersionConflict, 'transfer with a stale expected version',
      () => ledger.transfer(alice, bob, usd('1.00'), key('108'), null, { expectedVersion: 0 }),
      () => `account ${alice} is not at the expected version 0`],
    ['LG112', ExternalAccount, 'transfer to the external account',
      () => ledger.transfer(alice, external, usd('1.00'), key('112'))],
    ['LG101', InsufficientFunds, 'withdraw more than the balance',
      () => ledger.withdraw(alice, usd('100.01'), key('101-withdraw')),
      () => `insufficient funds: paying 100.01 USD would take account ${alice} below its minimum balance`],
    ['LG102', AboveMaxBalance, 'deposit above the maximum',
      () => ledger.deposit(bob, usd('50.01'), key('102-deposit')),
      () => `receiving 50.01 USD would take account ${bob} above its maximum balance`],
  ];
  const key = (label) => `svc-${run}-refused-${label}`;

  for (const [sqlstate, ErrorClass, what, call, message] of refusals) {
    test(`${sqlstate}: ${what} raises ${ErrorClass.name} and writes nothing`, async () => {
      const before = await snapshot(pool, ids);
      const err = await call().then(() => assert.fail('the call succeeded'), (e) => e);
      assert.ok(err instanceof ErrorClass, `${err.name}: ${err.message}`);
      assert.ok(err instanceof LedgerError);
      assert.equal(err.sqlstate, sqlstate);
      assert.equal(err.cause.code, sqlstate);
      if (message) {
        assert.equal(err.message, message());
        assert.ok(err.cause.detail, 'the figures are in the DETAIL');
      }
      assert.deepEqual(await snapshot(pool, ids), before);
      assert.equal(await scalar(pool,
        "SELECT count(*)::int FROM ledger.transfers WHERE idempotency_key LIKE $1", [`${key('')}%`]), 0);
    });
  }

  test('LG107: a key reused with another amount raises IdempotencyConflict and writes nothing', async () => {
    const id = await ledger.transfer(alice, bob, usd('1.00'), `svc-${run}-once`);
    const before = await snapshot(pool, ids);
    const err = await ledger.transfer(alice, bob, usd('2.00'), `svc-${run}-once`).then(
      () => assert.fail('the call succeeded'), (e) => e);
    assert.ok(err instanceof IdempotencyConflict, `${err.name}: ${err.message}`);
    assert.equal(err.sqlstate, 'LG107');
    assert.equal(err.message, `idempotency key "svc-${run}-once" was already used with other arguments`);
    assert.ok(err.cause.detail, 'the transfer the key made is in the DETAIL');
    assert.deepEqual(await snapshot(pool, ids), before);
    const { rows } = await pool.query(
      'SELECT id::text, amount FROM ledger.transfers WHERE idempotency_key = $1', [`svc-${run}-once`]);
    assert.deepEqual(rows.map((r) => [r.id, r.amount.toString()]), [[id, '1.00 USD']]);
  });

  test('LG109: createAccount with a taken name raises DuplicateAccount', async () => {
    const err = await ledger.createAccount(`svc-${run}-alice`, 'USD').then(
      () => assert.fail('the call succeeded'), (e) => e);
    assert.ok(err instanceof DuplicateAccount, `${err.name}: ${err.message}`);
    assert.equal(err.sqlstate, 'LG109');
  });

  test('a JS number or a missing key is refused before reaching the server', async () => {
    const before = await snapshot(pool, ids);
    await assert.rejects(async () => ledger.transfer(alice, bob, 12.5, `svc-${run}-float`), TypeError);
    await assert.rejects(async () => ledger.transfer(alice, bob, '12.50 USD', `svc-${run}-text`), TypeError);
    await assert.rejects(async () => ledger.transfer(alice, bob, usd('1.00'), null), TypeError);
    assert.deepEqual(await snapshot(pool, ids), before);
  });

  test('the same key twice returns the same transfer id and moves the money once', async () => {
    const k = `svc-${run}-idempotent`;
    const before = { alice: await ledger.balance(alice), bob: await ledger.balance(bob) };
    const first = await ledger.transfer(bob, alice, usd('7.25'), k, { order: 17 });
    const second = await ledger.transfer(bob, alice, usd('7.25'), k, { order: 17 });
    assert.equal(second, first);
    assert.equal(await scalar(pool, 'SELECT count(*)::int FROM ledger.transfers WHERE idempotency_key = $1', [k]), 1);
    assert.equal((await ledger.balance(alice)).toString(), before.alice.add(usd('7.25')).toString());
    assert.equal((await ledger.balance(bob)).toString(), before.bob.subtract(usd('7.25')).toString());
    const { rows: [row] } = await pool.query('SELECT metadata FROM ledger.transfers WHERE id = $1', [first]);
    assert.deepEqual(row.metadata, { order: 17 });
  });

  test('deposit and withdraw move money through the external account', async () => {
    const before = await ledger.balance(alice);
    await ledger.deposit(alice, usd('5.00'), `svc-${run}-deposit`);
    await ledger.withdraw(alice, usd('3.50'), `svc-${run}-withdraw`);
    assert.equal((await ledger.balance(alice)).toString(), before.add(usd('1.50')).toString());
    await assert.rejects(ledger.balance('999999999999'), UnknownAccount);
    assert.equal(await violations(pool), 0);
  });
});
