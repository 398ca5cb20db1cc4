#include "allocation.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "error.hpp"
#include "exact_sum.hpp"
#include "invariant.hpp"

namespace ledger {
namespace {

void require_part_count(std::int64_t parts) {
    if (parts < 1 || parts > static_cast<std::int64_t>(kMaxAllocationParts)) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         "cannot allocate into " + std::to_string(parts) + " parts",
                         "Allocate into 1 to " + std::to_string(kMaxAllocationParts) + " parts.");
    }
}

// Whether the parts add up to exactly the whole, counted with ExactSum's plain 192-bit integer
// additions rather than the Boost arithmetic that computed the parts. O(parts), like building
// them: about a tenth of allocate_evenly's time, a fraction of a percent of allocate_by_ratios'.
bool adds_up_to(const std::vector<Money> &parts, const MinorUnits &whole) {
    ExactSum total;
    for (const Money &part : parts) {
        total.add(to_stored(part.amount));
    }
    const StoredMinorUnits expected = to_stored(whole);
    return total.low == expected.low && total.mid == static_cast<std::uint64_t>(expected.high) &&
           total.high == (expected.high < 0 ? -1 : 0);
}

}  // namespace

std::vector<Money> allocate_evenly(const Money &money, std::int64_t parts) {
    require_part_count(parts);
    const MinorUnits share = money.amount / parts;
    const MinorUnits remainder = money.amount % parts;  // sign of the amount
    const int step = money.amount < 0 ? -1 : 1;
    const auto extra = static_cast<std::int64_t>(boost::multiprecision::abs(remainder));
    std::vector<Money> result;
    result.reserve(static_cast<std::size_t>(parts));
    for (std::int64_t i = 0; i < parts; ++i) {
        result.push_back(Money{i < extra ? MinorUnits(share + step) : share, money.currency});
    }
    LEDGER_INVARIANT(adds_up_to(result, money.amount));
    return result;
}

std::vector<Money> allocate_by_ratios(const Money &money, const std::vector<std::int64_t> &ratios) {
    require_part_count(static_cast<std::int64_t>(ratios.size()));
    BigInt total_ratio = 0;
    for (const std::int64_t ratio : ratios) {
        if (ratio < 0) {
            throw MoneyError(
                ErrorKind::invalid_parameter,
                "allocation ratios must not be negative, found " + std::to_string(ratio));
        }
        total_ratio += ratio;
    }
    if (total_ratio == 0) {
        throw MoneyError(ErrorKind::invalid_parameter, "allocation ratios must not all be zero");
    }
    const BigInt amount(money.amount);
    std::vector<BigInt> remainders;
    std::vector<Money> result;
    BigInt allocated = 0;
    for (const std::int64_t ratio : ratios) {
        const BigInt exact = amount * ratio;
        const BigInt share = exact / total_ratio;  // toward zero
        remainders.push_back(boost::multiprecision::abs(exact % total_ratio));
        allocated += share;
        result.push_back(Money{MinorUnits(share), money.currency});
    }
    const auto leftover = static_cast<std::size_t>(boost::multiprecision::abs(amount - allocated));
    LEDGER_INVARIANT(leftover < ratios.size());
    std::vector<std::size_t> order(ratios.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
    const int step = money.amount < 0 ? -1 : 1;
    for (std::size_t i = 0; i < leftover; ++i) {
        result[order[i]].amount += step;
    }
    LEDGER_INVARIANT(adds_up_to(result, money.amount));
    return result;
}

}  // namespace ledger
