// The extension's module header (PostgreSQL checks it when it loads ledger.so) and _PG_init.
#include "feed_worker.hpp"
#include "postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

void _PG_init(void) {
    ledger::pg::register_feed_workers();
}
