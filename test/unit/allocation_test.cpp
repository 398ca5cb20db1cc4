// Allocation: the parts always add up to exactly the whole, for small, negative and huge
// amounts; leftover minor units land in documented, deterministic places; bad part counts and
// ratios are refused.
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "allocation.hpp"
#include "test_support.hpp"

namespace ledger_test {
namespace {

using ledger::allocate_by_ratios;
using ledger::allocate_evenly;
using ledger::kMaxAllocationParts;

std::vector<MinorUnits> amounts_of(const std::vector<Money> &parts) {
    std::vector<MinorUnits> amounts;
    for (const Money &part : parts) {
        amounts.push_back(part.amount);
    }
    return amounts;
}

std::vector<MinorUnits> minor(std::initializer_list<long long> values) {
    std::vector<MinorUnits> result;
    for (const long long value : values) {
        result.push_back(MinorUnits(value));
    }
    return result;
}

// Sums in an unbounded integer, so that a wrong allocation cannot hide behind an overflow.
BigInt sum(const std::vector<Money> &parts) {
    BigInt total = 0;
    for (const Money &part : parts) {
        total += BigInt(part.amount);
    }
    return total;
}

// Amounts to split: small values of both signs, and values at and near the ends of the range.
std::vector<MinorUnits> interesting_amounts() {
    std::vector<MinorUnits> amounts;
    for (long long value = -257; value <= 257; ++value) {
        amounts.push_back(MinorUnits(value));
    }
    const MinorUnits max = max_units();
    for (const MinorUnits &value :
         {max, MinorUnits(max - 1), MinorUnits(max - 99999), MinorUnits(max / 3),
          MinorUnits("18446744073709551615"), MinorUnits("18446744073709551617"),
          MinorUnits("9223372036854775807"), MinorUnits("99999999999999999999999")}) {
        amounts.push_back(value);
        amounts.push_back(-value);
    }
    return amounts;
}

void expect_even_split(const Money &whole, std::int64_t count) {
    const std::vector<Money> parts = allocate_evenly(whole, count);
    ASSERT_EQ(parts.size(), static_cast<std::size_t>(count));
    ASSERT_EQ(sum(parts), BigInt(whole.amount)) << whole.amount << " / " << count;
    const BigInt share = BigInt(whole.amount) / count;  // toward zero
    const int step = whole.amount < 0 ? -1 : 1;
    const BigInt extra = boost::multiprecision::abs(BigInt(whole.amount) % count);
    for (std::int64_t i = 0; i < count; ++i) {
        // The first |remainder| parts carry one extra minor unit, away from zero.
        ASSERT_EQ(BigInt(parts[i].amount), i < extra ? BigInt(share + step) : share)
            << whole.amount << " / " << count << " part " << i;
        ASSERT_EQ(parts[i].currency, whole.currency);
    }
}

TEST(AllocateEvenly, ConcreteSplits) {
    EXPECT_EQ(amounts_of(allocate_evenly(parse("1.00 USD"), 3)), minor({34, 33, 33}));
    EXPECT_EQ(amounts_of(allocate_evenly(parse("-1.00 USD"), 3)), minor({-34, -33, -33}));
    EXPECT_EQ(amounts_of(allocate_evenly(parse("0.10 USD"), 4)), minor({3, 3, 2, 2}));
    EXPECT_EQ(amounts_of(allocate_evenly(parse("-0.10 USD"), 4)), minor({-3, -3, -2, -2}));
    EXPECT_EQ(amounts_of(allocate_evenly(parse("0.02 USD"), 5)), minor({1, 1, 0, 0, 0}));
    EXPECT_EQ(amounts_of(allocate_evenly(parse("-0.02 USD"), 5)), minor({-1, -1, 0, 0, 0}));
    EXPECT_EQ(amounts_of(allocate_evenly(parse("0 USD"), 3)), minor({0, 0, 0}));
    EXPECT_EQ(amounts_of(allocate_evenly(parse("9 JPY"), 3)), minor({3, 3, 3}));
    EXPECT_EQ(amounts_of(allocate_evenly(parse("1.234 KWD"), 1)), minor({1234}));
    const std::vector<Money> eth = allocate_evenly(parse("1 ETH"), 3);
    EXPECT_EQ(format_money(eth[0]), "0.333333333333333334 ETH");
    EXPECT_EQ(format_money(eth[1]), "0.333333333333333333 ETH");
    EXPECT_EQ(format_money(eth[2]), "0.333333333333333333 ETH");
}

TEST(AllocateEvenly, RangeEnds) {
    // 2^127 - 1 = 7 * 24305883351495604533098186245126300818 + 1.
    const std::vector<Money> parts = allocate_evenly(units(kMax, "USD"), 7);
    EXPECT_EQ(parts[0].amount, MinorUnits("24305883351495604533098186245126300819"));
    for (std::size_t i = 1; i < parts.size(); ++i) {
        EXPECT_EQ(parts[i].amount, MinorUnits("24305883351495604533098186245126300818"));
    }
    const std::vector<Money> negative = allocate_evenly(units("-" + kMax, "USD"), 7);
    EXPECT_EQ(negative[0].amount, MinorUnits("-24305883351495604533098186245126300819"));
    EXPECT_EQ(negative[6].amount, MinorUnits("-24305883351495604533098186245126300818"));
    EXPECT_EQ(amounts_of(allocate_evenly(units(kMax, "USD"), 1)),
              std::vector<MinorUnits>{max_units()});
}

TEST(AllocateEvenly, PartsAlwaysSumToTheWhole) {
    for (const MinorUnits &amount : interesting_amounts()) {
        for (std::int64_t count = 1; count <= 13; ++count) {
            expect_even_split(Money{amount, currency("EUR")}, count);
        }
        expect_even_split(Money{amount, currency("EUR")}, 97);
        expect_even_split(Money{amount, currency("EUR")}, 1000);
    }
}

TEST(AllocateEvenly, MaximumPartCount) {
    expect_even_split(units(kMax, "USD"), kMaxAllocationParts);
    expect_even_split(units(-99999, "USD"), kMaxAllocationParts);
    expect_even_split(units(100001, "USD"), kMaxAllocationParts);
}

TEST(AllocateEvenly, Deterministic) {
    const Money whole = units("-1234567890123456789012345", "ETH");
    EXPECT_EQ(allocate_evenly(whole, 11), allocate_evenly(whole, 11));
}

TEST(AllocateEvenly, PartCountErrors) {
    const Money whole = parse("1.00 USD");
    EXPECT_THROWS_KIND(allocate_evenly(whole, 0), ErrorKind::invalid_parameter);
    EXPECT_THROWS_KIND(allocate_evenly(whole, -1), ErrorKind::invalid_parameter);
    EXPECT_THROWS_KIND(allocate_evenly(whole, INT64_MIN), ErrorKind::invalid_parameter);
    EXPECT_THROWS_KIND(allocate_evenly(whole, kMaxAllocationParts + 1),
                       ErrorKind::invalid_parameter);
    EXPECT_THROWS_KIND(allocate_evenly(whole, INT64_MAX), ErrorKind::invalid_parameter);
    EXPECT_EQ(thrown_message([&] { allocate_evenly(whole, 0); }), "cannot allocate into 0 parts");
}

// Checks the documented rule independently: each part is its exact share rounded toward zero,
// plus one unit for the parts with the largest remainders, earlier parts first on ties.
void expect_ratio_split(const Money &whole, const std::vector<std::int64_t> &ratios) {
    const std::vector<Money> parts = allocate_by_ratios(whole, ratios);
    ASSERT_EQ(parts.size(), ratios.size());
    ASSERT_EQ(sum(parts), BigInt(whole.amount));
    BigInt total = 0;
    for (const std::int64_t ratio : ratios) {
        total += ratio;
    }
    const BigInt amount(whole.amount);
    const int step = whole.amount < 0 ? -1 : 1;
    std::vector<BigInt> remainders;
    BigInt floor_sum = 0;
    for (const std::int64_t ratio : ratios) {
        floor_sum += amount * ratio / total;
        remainders.push_back(boost::multiprecision::abs(amount * ratio % total));
    }
    const BigInt leftover = boost::multiprecision::abs(amount - floor_sum);
    ASSERT_LT(leftover, BigInt(ratios.size()));
    std::vector<std::size_t> order(ratios.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
    std::vector<bool> bumped(ratios.size(), false);
    for (std::size_t i = 0; i < static_cast<std::size_t>(leftover); ++i) {
        bumped[order[i]] = true;
    }
    for (std::size_t i = 0; i < ratios.size(); ++i) {
        const BigInt expected = amount * ratios[i] / total + (bumped[i] ? step : 0);
        ASSERT_EQ(BigInt(parts[i].amount), expected) << whole.amount << " part " << i;
        ASSERT_EQ(parts[i].currency, whole.currency);
        // Each part is within one minor unit of its exact share, and zero ratios get nothing.
        ASSERT_LT(boost::multiprecision::abs(BigInt(parts[i].amount) * total - amount * ratios[i]),
                  total);
        if (ratios[i] == 0) {
            ASSERT_EQ(parts[i].amount, 0);
        }
    }
}

TEST(AllocateByRatios, ConcreteSplits) {
    const Money dollar = parse("1.00 USD");
    EXPECT_EQ(amounts_of(allocate_by_ratios(dollar, {1, 1, 1})), minor({34, 33, 33}));
    // 33.33 and 66.67: the larger remainder, the second part, gets the leftover cent.
    EXPECT_EQ(amounts_of(allocate_by_ratios(dollar, {1, 2})), minor({33, 67}));
    EXPECT_EQ(amounts_of(allocate_by_ratios(negate(dollar), {1, 2})), minor({-33, -67}));
    EXPECT_EQ(amounts_of(allocate_by_ratios(dollar, {3, 7})), minor({30, 70}));
    EXPECT_EQ(amounts_of(allocate_by_ratios(dollar, {1})), minor({100}));
    EXPECT_EQ(amounts_of(allocate_by_ratios(parse("0.01 USD"), {1, 1, 1})), minor({1, 0, 0}));
    EXPECT_EQ(amounts_of(allocate_by_ratios(parse("-0.01 USD"), {1, 1, 1})), minor({-1, 0, 0}));
    EXPECT_EQ(amounts_of(allocate_by_ratios(parse("0.05 USD"), {0, 1, 1})), minor({0, 3, 2}));
    // 3.5, 1 and 0.5: the two halves tie, so the earlier part gets the leftover unit.
    EXPECT_EQ(amounts_of(allocate_by_ratios(parse("0.05 USD"), {70, 20, 10})), minor({4, 1, 0}));
    EXPECT_EQ(amounts_of(allocate_by_ratios(parse("-0.05 USD"), {70, 20, 10})), minor({-4, -1, 0}));
    EXPECT_EQ(amounts_of(allocate_by_ratios(parse("0 USD"), {5, 0, 5})), minor({0, 0, 0}));
    EXPECT_EQ(amounts_of(allocate_by_ratios(parse("7 JPY"), {0, 0, 1})), minor({0, 0, 7}));
    // Ties after a larger remainder: 10 * {1,1,1,1,2,1} / 7 = 1.43 x5 and 2.86.
    EXPECT_EQ(amounts_of(allocate_by_ratios(parse("10 JPY"), {1, 1, 1, 1, 2, 1})),
              minor({2, 2, 1, 1, 3, 1}));
}

TEST(AllocateByRatios, PartsAlwaysSumToTheWhole) {
    const std::vector<std::vector<std::int64_t>> ratio_sets = {
        {1},
        {1, 1},
        {1, 2},
        {1, 1, 1},
        {0, 1, 1},
        {1, 0, 0, 0},
        {3, 7},
        {70, 20, 10},
        {1, 2, 3, 4, 5, 6, 7},
        {13, 0, 17, 0, 19},
        {INT64_MAX, 1},
        {1, INT64_MAX},
        {INT64_MAX, INT64_MAX, INT64_MAX},
        {INT64_MAX, 0, INT64_MAX - 1},
        {999999999999, 1, 1, 1},
    };
    for (const MinorUnits &amount : interesting_amounts()) {
        for (const std::vector<std::int64_t> &ratios : ratio_sets) {
            expect_ratio_split(Money{amount, currency("GBP")}, ratios);
        }
    }
}

TEST(AllocateByRatios, ManyParts) {
    std::vector<std::int64_t> ratios;
    for (std::size_t i = 0; i < kMaxAllocationParts; ++i) {
        ratios.push_back(static_cast<std::int64_t>(i % 17));
    }
    expect_ratio_split(units(kMax, "USD"), ratios);
    expect_ratio_split(units("-" + kMax, "USD"), ratios);
    expect_ratio_split(units(12345, "USD"), ratios);
}

TEST(AllocateByRatios, Deterministic) {
    const Money whole = units("987654321987654321987654321", "ETH");
    const std::vector<std::int64_t> ratios = {5, 3, 3, 3, 0, 11, 7};
    EXPECT_EQ(allocate_by_ratios(whole, ratios), allocate_by_ratios(whole, ratios));
}

TEST(AllocateByRatios, Errors) {
    const Money whole = parse("1.00 USD");
    EXPECT_THROWS_KIND(allocate_by_ratios(whole, {}), ErrorKind::invalid_parameter);
    EXPECT_THROWS_KIND(
        allocate_by_ratios(whole, std::vector<std::int64_t>(kMaxAllocationParts + 1, 1)),
        ErrorKind::invalid_parameter);
    EXPECT_THROWS_KIND(allocate_by_ratios(whole, {-1, 2}), ErrorKind::invalid_parameter);
    EXPECT_THROWS_KIND(allocate_by_ratios(whole, {2, INT64_MIN}), ErrorKind::invalid_parameter);
    EXPECT_THROWS_KIND(allocate_by_ratios(whole, {0}), ErrorKind::invalid_parameter);
    EXPECT_THROWS_KIND(allocate_by_ratios(whole, {0, 0, 0}), ErrorKind::invalid_parameter);
    EXPECT_EQ(thrown_message([&] {
                  allocate_by_ratios(whole, {3, -1});
              }),
              "allocation ratios must not be negative, found -1");
    EXPECT_EQ(thrown_message([&] {
                  allocate_by_ratios(whole, {0, 0});
              }),
              "allocation ratios must not all be zero");
}

}  // namespace
}  // namespace ledger_test
