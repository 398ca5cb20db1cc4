export { Money } from './money.js';
export { Ledger, connect } from './ledger.js';
export * from './errors.js';
export { FeedConsumer, FeedDiverged, createConsumerTables } from './feed.js';
