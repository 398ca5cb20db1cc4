import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AboveMaxBalance, AccountCurrencyMismatch, DuplicateAccount, ExternalAccount, IdempotencyConflict,
  InsufficientFunds, LedgerError, Money, NonPositiveAmount, SameAccount, SplitAccount,
  UnknownAccount, VersionConflict,
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
  // ledger.accounts and ledger.balances: the tests' role may, snapshot() reads them). The last
  // element, where there is one, is the expected message.
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

  test('transferMany makes every transfer, in order, and the same keys return the same ids', async () => {
    const carol = await ledger.createAccount(`svc-${run}-carol`, 'USD');
    const dave = await ledger.createAccount(`svc-${run}-dave`, 'USD');
    await ledger.deposit(carol, usd('100.00'), `svc-${run}-fund-carol`);
    const batch = [
      { from: carol, to: dave, amount: usd('30.00'), idempotencyKey: `svc-${run}-many-1`, metadata: { line: 1 } },
      { from: dave, to: carol, amount: usd('12.50'), idempotencyKey: `svc-${run}-many-2` },
      { from: carol, to: dave, amount: usd('0.01'), idempotencyKey: `svc-${run}-many-3` },
    ];
    const made = await ledger.transferMany(batch);
    assert.equal(made.length, 3);
    assert.deepEqual([...made].sort((a, b) => Number(BigInt(a) - BigInt(b))), made); // numbered in order
    const { rows } = await pool.query(
      `SELECT id::text, from_account::text, to_account::text, amount, idempotency_key, metadata
         FROM ledger.transfers WHERE id = ANY($1::bigint[]) ORDER BY id`, [made]);
    assert.deepEqual(rows.map((r) => [r.id, r.from_account, r.to_account, r.amount.toString(), r.idempotency_key, r.metadata]), [
      [made[0], carol, dave, '30.00 USD', `svc-${run}-many-1`, { line: 1 }],
      [made[1], dave, carol, '12.50 USD', `svc-${run}-many-2`, null],
      [made[2], carol, dave, '0.01 USD', `svc-${run}-many-3`, null],
    ]);
    const after = await snapshot(pool, [carol, dave]);
    assert.deepEqual(after.accounts, [`${carol}: 82.49 USD v4`, `${dave}: 17.51 USD v3`]);
    assert.deepEqual(await ledger.transferMany(batch), made);
    assert.deepEqual(await snapshot(pool, [carol, dave]), after);
  });

  test('transferMany is all or nothing: a refused item names its number and nothing is written', async () => {
    const before = await snapshot(pool, ids);
    const err = await ledger.transferMany([
      { from: alice, to: bob, amount: usd('1.00'), idempotencyKey: key('many-1') },
      { from: bob, to: alice, amount: usd('1000.00'), idempotencyKey: key('many-2') },
    ]).then(() => assert.fail('the call succeeded'), (e) => e);
    assert.ok(err instanceof InsufficientFunds, `${err.name}: ${err.message}`);
    assert.equal(err.sqlstate, 'LG101');
    assert.match(err.message, /^item 2: insufficient funds: paying 1000\.00 USD/);
    assert.deepEqual(await snapshot(pool, ids), before);
  });

  test('a split account has slots and no version; expectedVersion on it raises SplitAccount', async () => {
    const erin = await ledger.createAccount(`svc-${run}-erin`, 'USD');
    await ledger.deposit(erin, usd('10.00'), `svc-${run}-fund-erin`);
    await pool.query('SELECT ledger.split_account($1, 4)', [erin]);
    const { rows: [row] } = await pool.query(
      'SELECT balance, slots, version FROM ledger.account_balances WHERE id = $1', [erin]);
    assert.deepEqual([row.balance.toString(), row.slots, row.version], ['10.00 USD', 4, null]);
    const { rows: [ext] } = await pool.query(
      'SELECT slots, version FROM ledger.account_balances WHERE id = $1', [external]);
    assert.deepEqual([ext.slots, ext.version], [16, null]);
    const before = await snapshot(pool, [erin, alice]);
    const err = await ledger.transfer(erin, alice, usd('1.00'), key('113'), null, { expectedVersion: 1 })
      .then(() => assert.fail('the call succeeded'), (e) => e);
    assert.ok(err instanceof SplitAccount, `${err.name}: ${err.message}`);
    assert.equal(err.sqlstate, 'LG113');
    assert.deepEqual(await snapshot(pool, [erin, alice]), before);
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
