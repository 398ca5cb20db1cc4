// The change feed's glue: what its SQL functions (ledger--1.1.sql, "The change feed") cannot
// say in SQL.
#include <cstdint>

#include "boundary.hpp"

// ledger.current_xact_id(): the top-level transaction's full id as a bigint, the default of
// ledger.transfers.xact_id. Inside a subtransaction it is still the top-level id, the one that
// snapshots list. Full ids never wrap, and stay below 2^63 for any cluster's lifetime.
LEDGER_FUNCTION(ledger_current_xact_id) {
    return ledger::pg::at_boundary([&] {
        const FullTransactionId id =
            ledger::pg::pg_call([]() noexcept { return GetTopFullTransactionId(); });
        return Int64GetDatum(static_cast<std::int64_t>(U64FromFullTransactionId(id)));
    });
}
