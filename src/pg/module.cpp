// The extension's module header: PostgreSQL checks it when it loads ledger.so.
#include "postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;
}
