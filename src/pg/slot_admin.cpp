// ledger.split_account(), merge_account() and rebalance(): how many slots an account's balance is
// spread over, and spreading it evenly. Each locks every slot of the account, moves the money
// with transfers between its slots (from_account = to_account), and gives each slot in use an
// even share of the balance and of the limits.
#include <string>

#include "../core/error.hpp"
#include "../core/slots.hpp"
#include "batch_posting.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"
#include "postgres_arguments.hpp"
#include "slot_locks.hpp"
#include "spi.hpp"
#include "write_scope.hpp"

using namespace ledger;
using namespace ledger::pg;

namespace {

SavedStatement g_add_slots(
    "INSERT INTO ledger.balances (account_id, slot, slots, is_external, balance) "
    "SELECT $1, s, $2, $3, $4 FROM generate_series($5::int, $2 - 1) AS s",
    {INT8OID, INT2OID, BOOLOID, SavedStatement::monetary, INT4OID});
SavedStatement g_store_slots(
    "UPDATE ledger.balances b SET slots = $2, balance = u.balance, version = u.version, "
    "min_share = u.min_share, max_share = u.max_share "
    "FROM unnest($3::int2[], $4, $5::int8[], $6, $7) "
    "AS u(slot, balance, version, min_share, max_share) "
    "WHERE b.account_id = $1 AND b.slot = u.slot",
    {INT8OID, INT2OID, INT2ARRAYOID, SavedStatement::monetary_array, INT8ARRAYOID,
     SavedStatement::monetary_array, SavedStatement::monetary_array});

std::optional<Money> sum_of_shares(const std::vector<SlotState> &slots, int in_use, bool minimum) {
    std::optional<Money> total;
    for (int slot = 0; slot < in_use; ++slot) {
        const std::optional<Money> &share = minimum ? slots[slot].min_share : slots[slot].max_share;
        if (share) {
            total = total ? add(*total, *share) : *share;
        }
    }
    return total;
}

void store(std::int64_t account, const std::vector<SlotState> &slots, int in_use) {
    std::vector<SlotUpdate> updates;
    for (const SlotState &slot : slots) {
        updates.push_back(SlotUpdate{account, slot});
    }
    const SlotColumns columns = slot_columns(updates);
    const Datum values[7] = {
        Int64GetDatum(account), Int16GetDatum(static_cast<std::int16_t>(in_use)),
        columns.slots,          columns.balances,
        columns.versions,       columns.min_shares,
        columns.max_shares};
    if (g_store_slots.run(values, nullptr) != slots.size()) {
        throw MoneyError(ErrorKind::internal, "the slots of account " + std::to_string(account) +
                                                  " were locked but not all updated");
    }
}

// Spreads the account evenly over `wanted` slots (0: as many as it has).
void reslot(std::int64_t account, std::int64_t wanted) {
    if (wanted != 0) {
        require_slot_count(wanted);
    }
    SpiSession spi;
    WriteScope writing;
    std::optional<LockedAccount> locked = lock_every_slot(account);
    if (!locked) {
        throw MoneyError(ErrorKind::unknown_account,
                         "account " + std::to_string(account) + " does not exist");
    }
    std::vector<SlotState> &slots = locked->held;
    const int before = locked->slots_in_use;
    const int in_use = wanted != 0 ? static_cast<int>(wanted) : before;
    const std::optional<Money> min_balance = sum_of_shares(slots, before, true);
    const std::optional<Money> max_balance = sum_of_shares(slots, before, false);
    const Currency currency = slots.front().balance.currency;
    const Money zero{0, currency};
    if (in_use > static_cast<int>(slots.size())) {
        const MonetaryDatum zero_datum = to_datum(zero);
        const Datum values[5] = {Int64GetDatum(account),
                                 Int16GetDatum(static_cast<std::int16_t>(in_use)),
                                 BoolGetDatum(locked->external), monetary_param(zero_datum),
                                 Int32GetDatum(static_cast<std::int32_t>(slots.size()))};
        g_add_slots.run(values, nullptr);
        while (static_cast<int>(slots.size()) < in_use) {
            slots.push_back(SlotState{static_cast<std::int16_t>(slots.size()), zero, {}, {}, 0});
        }
    }
    Money total = zero;
    for (const SlotState &slot : slots) {
        total = add(total, slot.balance);
    }
    const std::vector<Money> parts = even_parts(total, in_use);
    const std::vector<std::optional<Money>> minimums = even_limit_parts(min_balance, in_use);
    const std::vector<std::optional<Money>> maximums = even_limit_parts(max_balance, in_use);
    std::vector<Money> target(slots.size(), zero);
    for (int slot = 0; slot < in_use; ++slot) {
        target[slot] = parts[slot];
    }
    std::vector<PlannedPosting> moves;
    plan_direct_moves(account, slots, target, moves);
    for (std::size_t slot = 0; slot < slots.size(); ++slot) {
        const bool used = static_cast<int>(slot) < in_use;
        slots[slot].min_share = used ? minimums[slot] : std::nullopt;
        slots[slot].max_share = used ? maximums[slot] : std::nullopt;
        LEDGER_INVARIANT(equal(slots[slot].balance, target[slot]));
        LEDGER_INVARIANT(slot_can_pay(slots[slot], zero) && slot_can_receive(slots[slot], zero));
    }
    write_slot_moves(moves);
    store(account, slots, in_use);
    spi.finish();
}

std::int64_t account_arg(FunctionCallInfo fcinfo) {
    require_argument(fcinfo, 0, "account");
    return PG_GETARG_INT64(0);
}

}  // namespace

// ledger.split_account(account bigint, slots int)
LEDGER_FUNCTION(ledger_split_account) {
    return at_boundary([&] {
        const std::int64_t account = account_arg(fcinfo);
        require_argument(fcinfo, 1, "slots");
        const std::int64_t slots = PG_GETARG_INT32(1);
        require_slot_count(slots);
        reslot(account, slots);
        return Datum(0);
    });
}

// ledger.merge_account(account bigint)
LEDGER_FUNCTION(ledger_merge_account) {
    return at_boundary([&] {
        reslot(account_arg(fcinfo), 1);
        return Datum(0);
    });
}

// ledger.rebalance(account bigint)
LEDGER_FUNCTION(ledger_rebalance) {
    return at_boundary([&] {
        reslot(account_arg(fcinfo), 0);
        return Datum(0);
    });
}
