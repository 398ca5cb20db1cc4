// A consumer of the ledger's change feed that lives in another database (or service): it keeps
// its position in its own table and moves it in the same transaction as its own writes, so each
// change is applied exactly once, whatever crashes in between. The ledger is only read.
import pg from 'pg';

/** The consumer's own database no longer agrees with the ledger's feed (see check below). */
export class FeedDiverged extends Error {
  constructor(position, expected, found) {
    super(`feed position ${position} names transfer ${found ?? 'none'}, this consumer applied ` +
          `transfer ${expected} there: the ledger was restored or failed over to an older copy`);
    this.name = 'FeedDiverged';
    Object.assign(this, { position, expected, found });
  }
}

/** The consumer's tables, in its own database. */
export async function createConsumerTables(pool) {
  await pool.query(`CREATE TABLE IF NOT EXISTS feed_positions (
      consumer text PRIMARY KEY,
      position bigint NOT NULL DEFAULT 0,
      transfer_id bigint)`);
}

export class FeedConsumer {
  /**
   * @param {pg.Pool} ledgerPool reads the ledger's feed (ledger.changes, ledger.feed_try_tick)
   * @param {pg.Pool} ownPool the consumer's database: its position and its effects
   * @param {object} options
   * @param {string} options.name the consumer's name in feed_positions
   * @param {(client: pg.PoolClient, changes: object[]) => Promise<void>} options.apply
   *   writes the effects of a batch with `client`, inside the transaction that moves the position
   * @param {number} [options.batchSize]
   */
  constructor(ledgerPool, ownPool, { name, apply, batchSize = 100 }) {
    Object.assign(this, { ledgerPool, ownPool, name, apply, batchSize });
  }

  /**
   * Applies the next batch, if any: returns the number of changes applied. Ticks the feed
   * first (without waiting for a tick that is running elsewhere).
   */
  async applyNext() {
    await this.ledgerPool.query('SELECT ledger.feed_try_tick()');
    const client = await this.ownPool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        'INSERT INTO feed_positions (consumer) VALUES ($1) ON CONFLICT DO NOTHING', [this.name]);
      const { rows: [at] } = await client.query(
        'SELECT position, transfer_id FROM feed_positions WHERE consumer = $1 FOR UPDATE',
        [this.name]);
      await this.check(at);
      const { rows: changes } = await this.ledgerPool.query(
        'SELECT * FROM ledger.changes($1, $2)', [at.position, this.batchSize]);
      if (changes.length === 0) {
        await client.query('ROLLBACK');
        return 0;
      }
      await this.apply(client, changes);
      const last = changes[changes.length - 1];
      await client.query(
        'UPDATE feed_positions SET position = $2, transfer_id = $3 WHERE consumer = $1',
        [this.name, last.position, last.transfer_id]);
      await client.query('COMMIT');
      return changes.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * The position this consumer reached must still name the transfer it applied there. After a
   * failover to an asynchronous standby that lacked the last transfers, a later transfer can
   * take a position the consumer already saw; applying on would skip it silently.
   */
  async check(at) {
    if (at.transfer_id === null) return;
    const { rows: [row] } = await this.ledgerPool.query(
      'SELECT transfer_id FROM ledger.feed WHERE position = $1', [at.position]);
    if (!row || row.transfer_id !== at.transfer_id) {
      throw new FeedDiverged(at.position, at.transfer_id, row?.transfer_id);
    }
  }

  /** Applies batches until none is left; returns how many changes it applied. */
  async drain() {
    let total = 0;
    for (;;) {
      const applied = await this.applyNext();
      if (applied === 0) return total;
      total += applied;
    }
  }

  /**
   * Listens for ticks that added positions (NOTIFY ledger_feed), the wake-up of a consumer
   * loop. Resolves once listening; `next(timeoutMs)` then resolves to the next notified
   * position, or null after the timeout. Close it with `close()`.
   */
  async listen() {
    const client = new pg.Client(this.ledgerPool.options);
    await client.connect();
    const waiting = [];
    const queued = [];
    client.on('notification', (note) => {
      const position = Number(note.payload);
      const resolve = waiting.shift();
      if (resolve) resolve(position); else queued.push(position);
    });
    await client.query('LISTEN ledger_feed');
    return {
      next(timeoutMs) {
        if (queued.length > 0) return Promise.resolve(queued.shift());
        return new Promise((resolve) => {
          const timer = setTimeout(() => {
            waiting.splice(waiting.indexOf(done), 1);
            resolve(null);
          }, timeoutMs);
          function done(position) { clearTimeout(timer); resolve(position); }
          waiting.push(done);
        });
      },
      close() { return client.end(); },
    };
  }
}
