// The exact running total behind sum(): every total is checked against an unbounded Boost integer,
// the result does not depend on the order of the values, and only the final total is range-checked.
#include <algorithm>
#include <random>
#include <vector>

#include "exact_sum.hpp"
#include "test_support.hpp"

namespace ledger_test {
namespace {

using ledger::BigInt;
using ledger::ExactSum;
using ledger::StoredMinorUnits;

StoredMinorUnits stored(const MinorUnits &value) {
    return ledger::to_stored(value);
}

BigInt big(const StoredMinorUnits &value) {
    return BigInt(ledger::from_stored(value));
}

const MinorUnits kMax = ledger::max_minor_units();

ExactSum sum_of(const std::vector<MinorUnits> &values) {
    ExactSum sum;
    for (const MinorUnits &value : values) {
        sum.add(stored(value));
    }
    return sum;
}

TEST(ExactSum, EmptyAndSmallTotals) {
    EXPECT_EQ(big(ExactSum{}.total()), 0);
    EXPECT_EQ(big(sum_of({MinorUnits(5), MinorUnits(-7), MinorUnits(3)}).total()), 1);
    EXPECT_EQ(big(sum_of({MinorUnits(-1)}).total()), -1);
}

TEST(ExactSum, IntermediateTotalsMayLeaveTheRange) {
    // Checked step by step, [max, 1, -1] overflows at the second value; the set sums to max.
    EXPECT_EQ(big(sum_of({kMax, MinorUnits(1), MinorUnits(-1)}).total()), BigInt(kMax));
    EXPECT_EQ(big(sum_of({-kMax, MinorUnits(-1), MinorUnits(1)}).total()), -BigInt(kMax));
    // A thousand maxima and a thousand negative maxima, interleaved badly, sum to zero.
    std::vector<MinorUnits> values(1000, kMax);
    values.insert(values.end(), 1000, -kMax);
    EXPECT_EQ(big(sum_of(values).total()), 0);
}

TEST(ExactSum, OnlyTheFinalTotalIsRangeChecked) {
    EXPECT_THROWS_KIND(sum_of({kMax, MinorUnits(1)}).total(), ErrorKind::out_of_range);
    // -2^127 fits an int128 but not the range.
    EXPECT_THROWS_KIND(sum_of({-kMax, MinorUnits(-1)}).total(), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(sum_of({kMax, kMax, kMax}).total(), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(sum_of({-kMax, -kMax}).total(), ErrorKind::out_of_range);
    EXPECT_EQ(big(sum_of({kMax, kMax, -kMax}).total()), BigInt(kMax));
}

TEST(ExactSum, CombiningPartialSumsEqualsOneSum) {
    const std::vector<MinorUnits> left = {kMax, kMax, MinorUnits(17)};
    const std::vector<MinorUnits> right = {-kMax, -kMax, MinorUnits(-20)};
    ExactSum combined = sum_of(left);
    combined.add(sum_of(right));
    EXPECT_EQ(big(combined.total()), -3);
    EXPECT_EQ(combined.count, 6u);
}

// Random values against an unbounded reference, in three orders and split into partial sums.
TEST(ExactSum, MatchesUnboundedArithmeticInAnyOrder) {
    std::mt19937_64 random(20261126);
    int rounds_in_range = 0;
    int rounds = 0;
    for (; rounds < 200; ++rounds) {
        std::vector<MinorUnits> values;
        BigInt reference = 0;
        const int count = 1 + static_cast<int>(random() % 64);
        for (int i = 0; i < count; ++i) {
            // Mix huge magnitudes (near the range's ends) with small ones.
            BigInt magnitude = random() % 2 == 0 ? BigInt(kMax) - BigInt(random() % 1000)
                                                 : BigInt(random() % 100000);
            const MinorUnits value(random() % 2 == 0 ? magnitude : BigInt(-magnitude));
            values.push_back(value);
            reference += BigInt(value);
        }
        const bool in_range = reference <= BigInt(kMax) && reference >= -BigInt(kMax);
        rounds_in_range += in_range ? 1 : 0;
        for (int order = 0; order < 3; ++order) {
            std::shuffle(values.begin(), values.end(), random);
            const std::size_t split = random() % (values.size() + 1);
            ExactSum left = sum_of({values.begin(), values.begin() + split});
            left.add(sum_of({values.begin() + split, values.end()}));
            if (in_range) {
                EXPECT_EQ(big(left.total()), reference);
            } else {
                EXPECT_THROWS_KIND(left.total(), ErrorKind::out_of_range);
            }
        }
    }
    // Both outcomes were exercised.
    EXPECT_GT(rounds_in_range, 10);
    EXPECT_LT(rounds_in_range, rounds - 10);
}

}  // namespace
}  // namespace ledger_test
