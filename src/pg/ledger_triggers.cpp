// Triggers that keep the log append-only and account balances in the ledger's hands.
#include "../core/error.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"
#include "write_scope.hpp"

extern "C" {
#include "commands/trigger.h"
#include "utils/datum.h"
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

// Why the ledger's own UPDATE of an account row is refused, or nullptr: it may change the
// balance, within the account's currency, and raise the version by one, nothing else. Runs
// through pg_call: PostgreSQL code only.
const char *refused_change(const TriggerData *trigger) noexcept {
    const TupleDesc columns = RelationGetDescr(trigger->tg_relation);
    const int balance = SPI_fnumber(columns, "balance");
    const int version = SPI_fnumber(columns, "version");
    if (balance <= 0 || version <= 0) {
        return "the balance or version column is missing";
    }
    HeapTuple before = trigger->tg_trigtuple;
    HeapTuple after = trigger->tg_newtuple;
    for (int number = 1; number <= columns->natts; ++number) {
        const Form_pg_attribute column = TupleDescAttr(columns, number - 1);
        if (column->attisdropped || number == balance || number == version) {
            continue;
        }
        bool null_before = false;
        bool null_after = false;
        const Datum old_value = heap_getattr(before, number, columns, &null_before);
        const Datum new_value = heap_getattr(after, number, columns, &null_after);
        if (null_before != null_after ||
            (!null_before &&
             !datumIsEqual(old_value, new_value, column->attbyval, column->attlen))) {
            return "a column other than balance and version changed";
        }
    }
    bool is_null = false;
    const int64 old_version = DatumGetInt64(heap_getattr(before, version, columns, &is_null));
    const int64 new_version = DatumGetInt64(heap_getattr(after, version, columns, &is_null));
    if (is_null || new_version != old_version + 1) {
        return "the version did not go up by exactly one";
    }
    bool old_null = false;
    const Datum old_balance = heap_getattr(before, balance, columns, &old_null);
    const Datum new_balance = heap_getattr(after, balance, columns, &is_null);
    if (old_null || is_null ||
        !same_currency(*reinterpret_cast<const MonetaryDatum *>(DatumGetPointer(old_balance)),
                       *reinterpret_cast<const MonetaryDatum *>(DatumGetPointer(new_balance)))) {
        return "the balance changed currency";
    }
    return nullptr;
}

}  // namespace

// transfers, entries and feed: UPDATE, DELETE and TRUNCATE are refused for everyone.
LEDGER_FUNCTION(ledger_append_only_trigger) {
    return at_boundary([&]() -> Datum {
        const auto *trigger = reinterpret_cast<const TriggerData *>(fcinfo->context);
        const std::string table = table_of(trigger);
        throw MoneyError(
            ErrorKind::append_only,
            "ledger." + table + " is append-only: " + operation_of(trigger) + " refused",
            table == "feed" ? "Positions are final; only ledger.feed_tick() appends to the feed."
                            : "Correct a transfer with a new transfer in the opposite direction.");
    });
}

// accounts: rows change only inside the ledger's functions, and are never deleted.
LEDGER_FUNCTION(ledger_account_write_trigger) {
    return at_boundary([&]() -> Datum {
        const auto *trigger = reinterpret_cast<const TriggerData *>(fcinfo->context);
        if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) && ledger_write_in_progress()) {
            const char *refusal = pg_call([trigger]() noexcept { return refused_change(trigger); });
            if (refusal == nullptr) {
                return PointerGetDatum(trigger->tg_newtuple);
            }
            throw MoneyError(
                ErrorKind::internal,
                std::string("a ledger update of ledger.accounts was refused: ") + refusal);
        }
        throw MoneyError(ErrorKind::account_write_refused,
                         std::string("ledger.accounts changes only through the ledger's "
                                     "functions: ") +
                             operation_of(trigger) + " refused",
                         "Move money with ledger.transfer(), ledger.deposit() or "
                         "ledger.withdraw().");
    });
}

namespace {

// Why the ledger's own UPDATE of a slot row is refused, or nullptr: the row stays the same slot
// of the same account, in the same currency. Runs through pg_call: PostgreSQL code only.
const char *refused_slot_change(const TriggerData *trigger) noexcept {
    const TupleDesc columns = RelationGetDescr(trigger->tg_relation);
    const int account = SPI_fnumber(columns, "account_id");
    const int slot = SPI_fnumber(columns, "slot");
    const int balance = SPI_fnumber(columns, "balance");
    if (account <= 0 || slot <= 0 || balance <= 0) {
        return "the account_id, slot or balance column is missing";
    }
    bool null_before = false;
    bool null_after = false;
    for (const int key : {account, slot}) {
        const Form_pg_attribute column = TupleDescAttr(columns, key - 1);
        const Datum before = heap_getattr(trigger->tg_trigtuple, key, columns, &null_before);
        const Datum after = heap_getattr(trigger->tg_newtuple, key, columns, &null_after);
        if (null_before || null_after ||
            !datumIsEqual(before, after, column->attbyval, column->attlen)) {
            return "the row would become another account's or another slot";
        }
    }
    const Datum old_balance = heap_getattr(trigger->tg_trigtuple, balance, columns, &null_before);
    const Datum new_balance = heap_getattr(trigger->tg_newtuple, balance, columns, &null_after);
    if (null_before || null_after ||
        !same_currency(*reinterpret_cast<const MonetaryDatum *>(DatumGetPointer(old_balance)),
                       *reinterpret_cast<const MonetaryDatum *>(DatumGetPointer(new_balance)))) {
        return "the balance changed currency";
    }
    return nullptr;
}

}  // namespace

// balances: rows change only inside the ledger's functions, and are never deleted.
LEDGER_FUNCTION(ledger_balance_write_trigger) {
    return at_boundary([&]() -> Datum {
        const auto *trigger = reinterpret_cast<const TriggerData *>(fcinfo->context);
        if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) && ledger_write_in_progress()) {
            const char *refusal =
                pg_call([trigger]() noexcept { return refused_slot_change(trigger); });
            if (refusal == nullptr) {
                return PointerGetDatum(trigger->tg_newtuple);
            }
            throw MoneyError(
                ErrorKind::internal,
                std::string("a ledger update of ledger.balances was refused: ") + refusal);
        }
        throw MoneyError(ErrorKind::account_write_refused,
                         std::string("ledger.balances changes only through the ledger's "
                                     "functions: ") +
                             operation_of(trigger) + " refused",
                         "Move money with ledger.transfer(), ledger.deposit(), ledger.withdraw() "
                         "or ledger.transfer_many(); spread it with ledger.rebalance().");
    });
}
