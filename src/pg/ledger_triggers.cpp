// Triggers that keep the log append-only and account balances in the ledger's hands.
#include "../core/error.hpp"
#include "boundary.hpp"
#include "posting.hpp"

extern "C" {
#include "commands/trigger.h"
}

using namespace ledger;
using namespace ledger::pg;

namespace {

const char *operation_of(const TriggerData *trigger) {
    if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)) {
        return "UPDATE";
    }
    if (TRIGGER_FIRED_BY_DELETE(trigger->tg_event)) {
        return "DELETE";
    }
    return TRIGGER_FIRED_BY_TRUNCATE(trigger->tg_event) ? "TRUNCATE" : "INSERT";
}

std::string table_of(const TriggerData *trigger) {
    return pg_call([trigger]() noexcept { return RelationGetRelationName(trigger->tg_relation); });
}

}  // namespace

// transfers and entries: UPDATE, DELETE and TRUNCATE are refused for everyone.
LEDGER_FUNCTION(ledger_append_only_trigger) {
    return at_boundary([&]() -> Datum {
        const auto *trigger = reinterpret_cast<const TriggerData *>(fcinfo->context);
        throw MoneyError(ErrorKind::append_only,
                         "ledger." + table_of(trigger) +
                             " is append-only: " + operation_of(trigger) + " refused",
                         "Correct a transfer with a new transfer in the opposite direction.");
    });
}

// accounts: rows change only inside the ledger's functions, and are never deleted.
LEDGER_FUNCTION(ledger_account_write_trigger) {
    return at_boundary([&]() -> Datum {
        const auto *trigger = reinterpret_cast<const TriggerData *>(fcinfo->context);
        if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) && ledger_write_in_progress()) {
            return PointerGetDatum(trigger->tg_newtuple);
        }
        throw MoneyError(ErrorKind::account_write_refused,
                         std::string("ledger.accounts changes only through the ledger's "
                                     "functions: ") +
                             operation_of(trigger) + " refused",
                         "Move money with ledger.transfer(), ledger.deposit() or "
                         "ledger.withdraw().");
    });
}
