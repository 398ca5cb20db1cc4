// The change feed's optional background worker: started when ledger is in
// shared_preload_libraries and ledger.feed_databases names databases.
#pragma once

namespace ledger::pg {

// Defines the ledger.feed_* settings and registers one worker per listed database. Called by
// _PG_init while shared_preload_libraries loads; does nothing when ledger is loaded later.
void register_feed_workers();

}  // namespace ledger::pg
