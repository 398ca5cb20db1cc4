// Locking an account's balance slots for a posting, always in ascending account id and, within
// an account, so that a transaction waits for a slot only while it holds no higher slot of that
// account: no two ledger calls can wait for each other in a cycle.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "../core/batch.hpp"

namespace ledger::pg {

// What a posting asks of one account: which directions it moves money in, and, when exactly
// one transfer touches the account, its amount (a slot that can take it is then enough).
struct SlotDemand {
    bool pays = false;
    bool receives = false;
    std::optional<Money> only_amount;
};

// Locks what the demand needs: the account's only slot; for a split account, one free slot
// when no limit applies to the directions asked (or one that can take the only transfer), else
// every slot. nullopt: no such account. Runs inside an SPI session.
std::optional<LockedAccount> lock_slots(std::int64_t account, const SlotDemand &demand);

// Locks every slot of the account, retired ones too (all of them in `held`, in slot order).
std::optional<LockedAccount> lock_every_slot(std::int64_t account);

// Reads, without locks, how many slots the accounts this backend has not seen have.
void learn_slots(const std::vector<std::int64_t> &accounts);

// True when this backend last saw the account with one slot.
bool has_one_slot(std::int64_t account);

// Locks slot 0 of each account, in ascending id, in one statement: for accounts last seen with
// one slot. An account missing from the result does not exist. Throws retry when an account
// turns out to have been split meanwhile and slot 0 alone cannot serve its demand.
std::vector<LockedAccount> lock_first_slots(const std::vector<std::int64_t> &ascending,
                                            const std::vector<SlotDemand> &demands);

}  // namespace ledger::pg
