import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InvalidValue, Money, fromPgError } from '../src/index.js';
import { openPool } from './helpers.js';

const HUGE = '170141183460469231731687303715884105.27 USD';
const MAX = '1701411834604692317316873037158841057.27 USD'; // 2^127 - 1 cents, the server's maximum

const CANONICAL = [
  ['12.50 USD', 1250n, 2],
  ['-0.01 USD', -1n, 2],
  ['0.00 USD', 0n, 2],
  ['1000 JPY', 1000n, 0],
  ['-7 JPY', -7n, 0],
  ['1.500 KWD', 1500n, 3],
  ['-0.001 KWD', -1n, 3],
  ['0.0001 CLF', 1n, 4],
  [HUGE, 17014118346046923173168730371588410527n, 2],
  [`-${HUGE}`, -17014118346046923173168730371588410527n, 2],
  [MAX, 2n ** 127n - 1n, 2],
  [`-${MAX}`, -(2n ** 127n - 1n), 2],
];

describe('Money on the client', () => {
  for (const [text, minor, decimals] of CANONICAL) {
    test(`parses and writes back ${text}`, () => {
      const money = Money.parse(text);
      assert.equal(money.minor, minor);
      assert.equal(money.decimals, decimals);
      assert.equal(money.currency, text.slice(-3));
      assert.equal(money.toString(), text);
      assert.equal(money.toPostgres(), text);
      assert.equal(JSON.stringify({ amount: money }), `{"amount":"${text}"}`);
    });
  }

  test('refuses JS numbers', () => {
    assert.throws(() => new Money(12.5, 'USD', 2), TypeError);
    assert.throws(() => new Money(1250, 'USD', 2), TypeError);
    assert.throws(() => Money.parse(12.5), TypeError);
  });

  test('refuses text that is not the canonical form', () => {
    for (const text of ['12.5 usd', '1e3 USD', 'NaN USD', 'Infinity USD', '.5 USD', '5. USD',
      '12.50USD', ' 12.50 USD', '12,50 USD', '1,000.00 USD', 'USD 12.50', '-0.00 USD', '012.50 USD', '']) {
      assert.throws(() => Money.parse(text), RangeError, text);
    }
  });

  test('adds exactly where floats would not', () => {
    const sum = Money.parse('0.10 USD').add(Money.parse('0.20 USD'));
    assert.equal(sum.toString(), '0.30 USD');
    assert.ok(sum.equals(Money.parse('0.30 USD')));
    assert.equal(Money.parse(HUGE).subtract(Money.parse(HUGE)).toString(), '0.00 USD');
    assert.equal(Money.parse('-0.01 USD').negate().toString(), '0.01 USD');
    assert.equal(Money.parse('1.00 USD').compare(Money.parse('0.99 USD')), 1);
  });

  test('refuses to combine currencies', () => {
    assert.throws(() => Money.parse('1.00 USD').add(Money.parse('1.00 EUR')), RangeError);
    assert.throws(() => Money.parse('1.00 USD').compare(Money.parse('1 JPY')), RangeError);
    assert.equal(Money.parse('1.00 USD').equals(Money.parse('1.00 EUR')), false);
  });
});

describe('Money through the server', () => {
  let pool;
  before(async () => { pool = await openPool(); });
  after(() => pool.end());

  for (const [text] of CANONICAL) {
    test(`round-trips ${text}`, async () => {
      const sent = Money.parse(text);
      const { rows: [row] } = await pool.query(
        'SELECT $1::ledger.monetary AS value, $1::ledger.monetary::text AS text', [sent]);
      assert.ok(row.value instanceof Money);
      assert.ok(row.value.equals(sent), `${row.value} != ${sent}`);
      assert.equal(row.text, text);
    });
  }

  test('reads what the server canonicalised', async () => {
    const { rows: [row] } = await pool.query(
      "SELECT 'usd 12.5'::ledger.monetary AS a, '3 kwd'::ledger.monetary AS b, NULL::ledger.monetary AS c");
    assert.equal(row.a.toString(), '12.50 USD');
    assert.equal(row.a.minor, 1250n);
    assert.equal(row.b.toString(), '3.000 KWD');
    assert.equal(row.c, null);
  });

  test('reads arrays of monetary', async () => {
    const { rows: [row] } = await pool.query(
      'SELECT ledger.allocate($1::ledger.monetary, 3) AS parts', [Money.parse('100.00 USD')]);
    assert.deepEqual(row.parts.map(String), ['33.34 USD', '33.33 USD', '33.33 USD']);
    assert.equal(row.parts.reduce((a, b) => a.add(b)).toString(), '100.00 USD');
  });

  test('the server refuses one cent beyond its range', async () => {
    const beyond = Money.parse(MAX).add(Money.parse('0.01 USD'));
    const err = await pool.query('SELECT $1::ledger.monetary', [beyond]).then(
      () => assert.fail(`accepted ${beyond}`), fromPgError);
    assert.ok(err instanceof InvalidValue);
    assert.equal(err.sqlstate, '22003');
  });

  test('the server still refuses a value with the wrong decimals', async () => {
    const wrong = new Money(1n, 'USD', 3); // '0.001 USD'
    const err = await pool.query('SELECT $1::ledger.monetary', [wrong]).then(
      () => assert.fail('accepted 0.001 USD'), fromPgError);
    assert.ok(err instanceof InvalidValue);
    assert.equal(err.sqlstate, '22P02');
  });
});
