// A small service over the ledger extension: every call is one transaction on one pooled
// client, retried whole on serialization failures and deadlocks.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Money } from './money.js';
import { RETRYABLE, fromPgError } from './errors.js';

/**
 * Opens a pg.Pool whose clients return ledger.monetary (and ledger.monetary[]) as Money.
 *
 * The type's OID is assigned by CREATE EXTENSION, so it differs per database (and after a
 * restore). The parsers therefore go into a TypeOverrides object owned by this pool rather than
 * the process-wide pg.types: a second pool on another database, or another library using pg in
 * the same process, is not handed a parser for an OID that means something else there.
 * pg reads PGHOST, PGPORT, PGUSER, PGDATABASE from the environment for anything not in config.
 */
export async function connect(config = {}) {
  const types = new pg.TypeOverrides();
  const pool = new pg.Pool({ max: 10, ...config, types });
  try {
    const { rows: [type] } = await pool.query(
      "SELECT oid, typarray FROM pg_catalog.pg_type WHERE oid = 'ledger.monetary'::regtype");
    const parseTextArray = pg.types.getTypeParser(1009, 'text'); // text[]: handles the quoting
    types.setTypeParser(Number(type.oid), 'text', Money.parse);
    types.setTypeParser(Number(type.typarray), 'text',
      (value) => parseTextArray(value).map((item) => (item === null ? null : Money.parse(item))));
  } catch (err) {
    await pool.end();
    throw err;
  }
  return pool;
}

const ISOLATION_LEVELS = new Set(['READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE']);

export class Ledger {
  /** Number of retried attempts so far, over all calls of this instance. */
  retries = 0;

  /**
   * @param {pg.Pool} pool from connect()
   * @param {object} [options]
   * @param {string} [options.isolation] isolation level of each transaction
   * @param {number} [options.maxAttempts] attempts per call before TransactionConflict
   * @param {number} [options.baseDelayMs] first backoff ceiling; doubles per attempt
   * @param {number} [options.maxDelayMs] cap of the backoff ceiling
   * @param {(client: pg.PoolClient, attempt: number) => Promise<void>} [options.beforeCall]
   *   runs inside each attempt's transaction, just before the ledger function: the place to
   *   read or lock what the application needs in the same transaction (tests use it to
   *   interleave another session)
   */
  constructor(pool, {
    isolation = 'READ COMMITTED', maxAttempts = 5, baseDelayMs = 10, maxDelayMs = 500, beforeCall,
  } = {}) {
    if (!ISOLATION_LEVELS.has(isolation)) throw new RangeError(`unknown isolation level ${isolation}`);
    if (!(maxAttempts >= 1)) throw new RangeError('maxAttempts must be at least 1');
    Object.assign(this, { pool, isolation, maxAttempts, baseDelayMs, maxDelayMs, beforeCall });
  }

  /** Moves `amount` between two accounts; returns the transfer id (a string: it is a bigint). */
  transfer(fromId, toId, amount, idempotencyKey, metadata = null, { expectedVersion = null } = {}) {
    return this.#callReturningId(
      'SELECT ledger.transfer($1::bigint, $2::bigint, $3::ledger.monetary, $4::text, $5::jsonb, $6::bigint) AS id',
      [fromId, toId, money(amount), key(idempotencyKey), json(metadata), expectedVersion]);
  }

  /** Money in from the currency's external account. */
  deposit(accountId, amount, idempotencyKey, metadata = null, { expectedVersion = null } = {}) {
    return this.#callReturningId(
      'SELECT ledger.deposit($1::bigint, $2::ledger.monetary, $3::text, $4::jsonb, $5::bigint) AS id',
      [accountId, money(amount), key(idempotencyKey), json(metadata), expectedVersion]);
  }

  /** Money out to the currency's external account. */
  withdraw(accountId, amount, idempotencyKey, metadata = null, { expectedVersion = null } = {}) {
    return this.#callReturningId(
      'SELECT ledger.withdraw($1::bigint, $2::ledger.monetary, $3::text, $4::jsonb, $5::bigint) AS id',
      [accountId, money(amount), key(idempotencyKey), json(metadata), expectedVersion]);
  }

  /**
   * Several transfers in one transaction, all or nothing; resolves to their ids (strings) in the
   * order given. Each item is { from, to, amount, idempotencyKey, metadata }. A refused item
   * rejects with that item's error, its message starting with "item N: " (1-based), and nothing
   * is written; the same keys again return the same ids.
   */
  async transferMany(transfers) {
    const items = transfers.map((t) => [t.from, t.to, money(t.amount), key(t.idempotencyKey), json(t.metadata)]);
    const { rows } = await this.#inTransaction((client) => client.query(
      `SELECT transfer_id AS id FROM ledger.transfer_many($1::bigint[], $2::bigint[],
              $3::ledger.monetary[], $4::text[], $5::jsonb[]) ORDER BY item`,
      [0, 1, 2, 3, 4].map((column) => items.map((item) => item[column]))));
    return rows.map((row) => row.id);
  }

  /**
   * minBalance: omitted means no overdraft, null means no lower bound; maxBalance: null or
   * omitted means no upper bound.
   */
  createAccount(name, currency, { minBalance, maxBalance = null, metadata = null } = {}) {
    // '0 XXX' is the extension's own default: zero in whatever the account's currency is.
    const min = minBalance === undefined ? new Money(0n, 'XXX', 0) : minBalance && money(minBalance);
    return this.#callReturningId(
      'SELECT ledger.create_account($1::text, $2::text, $3::ledger.monetary, $4::ledger.monetary, $5::jsonb) AS id',
      [name, currency, min, maxBalance && money(maxBalance), json(metadata)]);
  }

  async balance(accountId) {
    try {
      const { rows: [row] } = await this.pool.query('SELECT ledger.balance($1::bigint) AS balance', [accountId]);
      return row.balance;
    } catch (err) {
      throw fromPgError(err);
    }
  }

  async #callReturningId(sql, params) {
    const { rows: [row] } = await this.#inTransaction((client) => client.query(sql, params));
    return row.id;
  }

  async #inTransaction(work) {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.pool.connect();
      let failure;
      try {
        await client.query(`BEGIN ISOLATION LEVEL ${this.isolation}`);
        await this.beforeCall?.(client, attempt);
        const result = await work(client);
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (err) {
        failure = err;
      }
      // If even ROLLBACK fails the connection is in an unknown state: release(err) makes the
      // pool close it instead of handing it to the next caller.
      const rollbackError = await client.query('ROLLBACK').then(() => undefined, (err) => err);
      client.release(rollbackError);
      if (!RETRYABLE.has(failure.code) || attempt >= this.maxAttempts) {
        const error = fromPgError(failure);
        error.attempts = attempt;
        throw error;
      }
      // The whole transaction is retried, not the statement: its snapshot is what is stale.
      // Full jitter keeps the clients that collided from colliding again in lockstep.
      this.retries += 1;
      const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * ceiling);
    }
  }
}

function money(value) {
  if (!(value instanceof Money)) {
    throw new TypeError(`amount must be a Money, not ${typeof value} ${value}`);
  }
  return value;
}

function key(value) {
  // Without a key a retry after a lost reply could move the money twice.
  if (typeof value !== 'string' || value === '') throw new TypeError('an idempotency key is required');
  return value;
}

// pg would turn a JS array into a PostgreSQL array, not JSON, so serialise explicitly.
function json(value) {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
