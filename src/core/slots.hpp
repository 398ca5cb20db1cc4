// Balance slots: an account's balance and limits spread over several rows, so that transfers on
// a busy account need not wait for each other. Each slot keeps within its share of the limits,
// so the account keeps within its limits. Pure arithmetic: which rows are locked is the glue's.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "money.hpp"

namespace ledger {

// The most slots an account may have: each probe of a busy account tries them in turn.
constexpr int kMaxSlots = 64;

struct SlotState {
    std::int16_t slot = 0;
    Money balance;
    std::optional<Money> min_share;  // nullopt: no lower bound
    std::optional<Money> max_share;  // nullopt: no upper bound
    std::int64_t version = 0;        // entries of this slot so far
};

// Whether the slot can pay (or receive) `amount` and stay within its share.
bool slot_can_pay(const SlotState &slot, const Money &amount);
bool slot_can_receive(const SlotState &slot, const Money &amount);

// `value` in `parts` parts that differ by at most one minor unit and sum to it exactly; the first
// parts get the extra units. Monotone: for a <= b, every part of a is <= the same part of b, so
// the parts of a balance lie within the parts of the limits around it.
std::vector<Money> even_parts(const Money &value, int parts);

// The same for a limit that may be absent.
std::vector<std::optional<Money>> even_limit_parts(const std::optional<Money> &limit, int parts);

// Throws invalid_parameter unless 1 <= slots <= kMaxSlots.
void require_slot_count(std::int64_t slots);

}  // namespace ledger
