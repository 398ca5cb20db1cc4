// Broken invariants raise MoneyError(internal) and never abort: the core runs inside a database
// server, where abort() would end every session. Each public entry point with an invariant check
// that a caller can reach with arguments outside its contract is driven into it here.
#include <string>
#include <vector>

#include "currency.hpp"
#include "invariant.hpp"
#include "posting.hpp"
#include "rounding.hpp"
#include "test_support.hpp"

// After invariant.hpp, like every other file that includes Boost.
#include <boost/assert.hpp>

namespace ledger_test {
namespace {

using ledger::IsoCurrency;

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

TEST(Invariant, TrueConditionIsEvaluatedOnceAndPasses) {
    int evaluations = 0;
    EXPECT_EQ(thrown_kind([&] { LEDGER_INVARIANT(++evaluations == 1); }), std::nullopt);
    EXPECT_EQ(evaluations, 1);
}

TEST(Invariant, FalseConditionThrowsInternalNamingItWhereItIs) {
    const int two = 2;
    EXPECT_EQ(thrown_kind([&] { LEDGER_INVARIANT(two + two == 5); }), ErrorKind::internal);
    const int line = __LINE__ + 1;
    const std::string message = thrown_message([&] { LEDGER_INVARIANT(two + two == 5); });
    EXPECT_EQ(message, "internal error: invariant failed: two + two == 5 at invariant_test.cpp:" +
                           std::to_string(line));
}

TEST(Invariant, BoostAssertionsThrowInsteadOfAborting) {
    // Boost.Multiprecision's own checks go through the same path (BOOST_ENABLE_ASSERT_HANDLER).
    const int one = 1;
    EXPECT_THROWS_KIND(BOOST_ASSERT(one == 2), ErrorKind::internal);
    EXPECT_TRUE(contains(thrown_message([&] { BOOST_ASSERT(one == 2); }), "one == 2"));
    EXPECT_TRUE(
        contains(thrown_message([&] { BOOST_ASSERT_MSG(one == 2, "why"); }), "one == 2 (why)"));
}

TEST(Invariant, FormatAmountOutsideTheMinorUnitsRange) {
    for (const int minor_units : {-1, 19, 40}) {
        SCOPED_TRACE(minor_units);
        EXPECT_THROWS_KIND(ledger::format_amount(MinorUnits(1), minor_units), ErrorKind::internal);
    }
    EXPECT_EQ(ledger::format_amount(MinorUnits(1), 18), "0.000000000000000001");
}

TEST(Invariant, RoundQuotientByANonPositiveDenominator) {
    for (const long long denominator : {0LL, -1LL, -10LL}) {
        SCOPED_TRACE(denominator);
        EXPECT_THROWS_KIND(
            ledger::round_quotient(BigInt(7), BigInt(denominator), ledger::RoundingMode::half_even),
            ErrorKind::internal);
    }
}

TEST(Invariant, ExpectedVersionOfAThirdAccount) {
    const ledger::AccountState from{1, parse("10.00 USD"), std::nullopt, std::nullopt, 3};
    const ledger::AccountState to{2, parse("0 USD"), std::nullopt, std::nullopt, 5};
    EXPECT_THROWS_KIND(
        ledger::plan_transfer(from, to, parse("1.00 USD"), ledger::ExpectedVersion{7, 3}),
        ErrorKind::internal);
    EXPECT_EQ(ledger::plan_transfer(from, to, parse("1.00 USD"), ledger::ExpectedVersion{1, 3})
                  .from_after.balance,
              parse("9.00 USD"));
}

TEST(Invariant, IsoIndexRefusesABrokenTable) {
    const IsoCurrency duplicated[] = {{"AAA", 1, 2, false, "a"}, {"AAA", 2, 2, false, "again"}};
    EXPECT_THROWS_KIND(ledger::build_iso_index(std::begin(duplicated), std::end(duplicated)),
                       ErrorKind::internal);
    EXPECT_TRUE(contains(thrown_message([&] {
                             ledger::build_iso_index(std::begin(duplicated), std::end(duplicated));
                         }),
                         "index[slot] == nullptr at currency.cpp:"));
    for (const char *code : {"AAAA", "AA", "aaa", "A1A"}) {
        SCOPED_TRACE(code);
        const IsoCurrency entry[] = {{code, 1, 2, false, "x"}};
        EXPECT_THROWS_KIND(ledger::build_iso_index(std::begin(entry), std::end(entry)),
                           ErrorKind::internal);
    }
    // The real table builds, and every entry lands in its own slot.
    const ledger::IsoIndex index =
        ledger::build_iso_index(ledger::iso_currencies_begin(), ledger::iso_currencies_end());
    std::size_t filled = 0;
    for (const IsoCurrency *entry : index) {
        filled += entry != nullptr ? 1 : 0;
    }
    EXPECT_EQ(filled, static_cast<std::size_t>(ledger::iso_currencies_end() -
                                               ledger::iso_currencies_begin()));
}

}  // namespace
}  // namespace ledger_test
