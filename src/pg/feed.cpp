// The change feed's glue: what its SQL functions (ledger--1.1.sql, "The change feed") cannot
// say in SQL.
#include <cstdint>

#include "../core/error.hpp"
#include "boundary.hpp"

namespace {

// Whether this backend's transaction has ticked (and so holds the feed's state row).
bool g_ticked = false;
bool g_callback_registered = false;

// A tick holds ledger.feed_state's row to the end of its transaction. Prepared, the transaction
// would keep holding it, across restarts, until COMMIT or ROLLBACK PREPARED, and every tick
// would wait or skip meanwhile. PostgreSQL refuses to prepare after a NOTIFY, which only a tick
// that added positions sends; this refuses every tick's transaction alike, with its own code.
void refuse_prepare_after_tick(XactEvent event, void *) {
    if (event == XACT_EVENT_PRE_PREPARE && g_ticked) {
        g_ticked = false;
        ledger::pg::at_boundary([]() -> Datum {
            throw ledger::MoneyError(ledger::ErrorKind::prepare_after_tick,
                                     "a transaction that ticked the change feed cannot be prepared",
                                     "Tick in a transaction of its own.");
        });
    }
    if (event != XACT_EVENT_PRE_COMMIT && event != XACT_EVENT_PARALLEL_PRE_COMMIT &&
        event != XACT_EVENT_PRE_PREPARE) {
        g_ticked = false;  // the transaction has ended (committed, aborted or prepared)
    }
}

}  // namespace

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

// ledger.feed_forbid_prepare(): called by each tick once it holds the state row.
LEDGER_FUNCTION(ledger_feed_forbid_prepare) {
    return ledger::pg::at_boundary([&] {
        if (!g_callback_registered) {
            ledger::pg::pg_call(
                []() noexcept { RegisterXactCallback(refuse_prepare_after_tick, nullptr); });
            g_callback_registered = true;
        }
        g_ticked = true;
        return Datum(0);
    });
}
