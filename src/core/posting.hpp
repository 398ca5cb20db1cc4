// The rules of a transfer, without storage: given the locked state of both accounts, the new
// state of each or the reason it is refused. The glue layer locks, calls plan_transfer, and
// writes exactly what it returns.
#pragma once

#include <cstdint>
#include <optional>

#include "money.hpp"

namespace ledger {

struct AccountState {
    std::int64_t id = 0;
    Money balance;
    std::optional<Money> min_balance;  // nullopt: no lower bound
    std::optional<Money> max_balance;  // nullopt: no upper bound
    std::int64_t version = 0;          // entries so far; the next entry gets version + 1
    bool external = false;             // the outside world of its currency
};

// A compare-and-swap precondition: the account must be at this version.
struct ExpectedVersion {
    std::int64_t account_id = 0;
    std::int64_t version = 0;
};

struct PlannedTransfer {
    AccountState from_after;
    AccountState to_after;
};

// Checks, in this order: a positive amount, two distinct accounts, the amount's currency on both,
// the expected version of one of them, the source's minimum and the destination's maximum.
// Throws a MoneyError naming the accounts and amounts; returns both accounts' new states.
PlannedTransfer plan_transfer(const AccountState &from, const AccountState &to, const Money &amount,
                              std::optional<ExpectedVersion> expected);

// Rejects a non-positive amount early, before anything is locked.
void require_positive(const Money &amount);

}  // namespace ledger
