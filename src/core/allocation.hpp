// Splitting an amount into parts that add up to exactly the whole.
#pragma once

#include <cstdint>
#include <vector>

#include "money.hpp"

namespace ledger {

constexpr std::size_t kMaxAllocationParts = 100000;

// `parts` near-equal shares; the remainder goes one minor unit each to the first parts.
std::vector<Money> allocate_evenly(const Money &money, std::int64_t parts);

// Shares proportional to non-negative `ratios` (at least one positive). Each part gets its
// share rounded toward zero; the leftover minor units go one each to the parts with the largest
// remainders, earlier parts first on ties.
std::vector<Money> allocate_by_ratios(const Money &money, const std::vector<std::int64_t> &ratios);

}  // namespace ledger
