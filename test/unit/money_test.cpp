// Exact arithmetic on Money and the 128-bit storage form: both ends of the range survive storage
// and arithmetic, and every step past them throws out_of_range instead of wrapping.
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "test_support.hpp"

namespace ledger_test {
namespace {

using ledger::absolute;
using ledger::add;
using ledger::checked_narrow;
using ledger::compare;
using ledger::equal;
using ledger::from_stored;
using ledger::multiply;
using ledger::negate;
using ledger::StoredMinorUnits;
using ledger::subtract;
using ledger::to_stored;

void expect_stored(const MinorUnits &value, std::uint64_t low, std::int64_t high) {
    const StoredMinorUnits stored = to_stored(value);
    EXPECT_EQ(stored.low, low) << value;
    EXPECT_EQ(stored.high, high) << value;
}

TEST(MinorUnitsRange, MaxIsTwoToThe127MinusOne) {
    EXPECT_EQ(ledger::max_minor_units(), MinorUnits(kMax));
    EXPECT_EQ(BigInt(ledger::max_minor_units()), (BigInt(1) << 127) - 1);
}

TEST(MinorUnitsRange, BoostArithmeticIsChecked) {
    // Money relies on the checked backend throwing rather than wrapping at +-(2^127 - 1).
    const MinorUnits max = max_units();
    EXPECT_THROW(static_cast<void>(MinorUnits(max + 1)), std::overflow_error);
    EXPECT_THROW(static_cast<void>(MinorUnits(-max - 1)), std::overflow_error);
    EXPECT_EQ(MinorUnits(-max), MinorUnits("-" + kMax));
}

TEST(StoredMinorUnits, TwoComplementHalves) {
    expect_stored(MinorUnits(0), 0, 0);
    expect_stored(MinorUnits(1), 1, 0);
    expect_stored(MinorUnits(-1), UINT64_MAX, -1);
    expect_stored(MinorUnits("18446744073709551616"), 0, 1);    // 2^64
    expect_stored(MinorUnits("-18446744073709551616"), 0, -1);  // -2^64
    expect_stored(MinorUnits("18446744073709551615"), UINT64_MAX, 0);
    expect_stored(max_units(), UINT64_MAX, INT64_MAX);
    expect_stored(-max_units(), 1, INT64_MIN);
}

TEST(StoredMinorUnits, RoundTripsBothEnds) {
    const std::vector<MinorUnits> values = {
        MinorUnits(0),
        MinorUnits(1),
        MinorUnits(-1),
        max_units(),
        -max_units(),
        max_units() - 1,
        -max_units() + 1,
        MinorUnits("18446744073709551616"),
        MinorUnits("-18446744073709551615"),
        MinorUnits("-9223372036854775808"),
        MinorUnits("85070591730234615865843651857942052864"),  // 2^126
    };
    for (const MinorUnits &value : values) {
        EXPECT_EQ(from_stored(to_stored(value)), value);
    }
}

TEST(StoredMinorUnits, MinusTwoToThe127IsRejected) {
    // The one int128 without a positive twin must not enter the range from storage.
    EXPECT_THROWS_KIND(from_stored(StoredMinorUnits{0, INT64_MIN}), ErrorKind::out_of_range);
    EXPECT_EQ(from_stored(StoredMinorUnits{1, INT64_MIN}), -max_units());
    EXPECT_EQ(from_stored(StoredMinorUnits{UINT64_MAX, INT64_MAX}), max_units());
}

TEST(StoredMinorUnits, EveryOtherBitPatternRoundTrips) {
    // A fixed linear congruential sequence keeps the test deterministic.
    std::uint64_t state = 0x9E3779B97F4A7C15u;
    auto next = [&state] {
        state = state * 6364136223846793005u + 1442695040888963407u;
        return state;
    };
    for (int i = 0; i < 20000; ++i) {
        const StoredMinorUnits stored{next(), static_cast<std::int64_t>(next())};
        if (stored.high == INT64_MIN && stored.low == 0) {
            continue;
        }
        const MinorUnits value = from_stored(stored);
        const StoredMinorUnits again = to_stored(value);
        ASSERT_EQ(again.low, stored.low);
        ASSERT_EQ(again.high, stored.high);
        // The sign lives in the high half, as in two's complement.
        ASSERT_EQ(value < 0, stored.high < 0);
    }
}

TEST(CheckedNarrow, AcceptsTheRangeAndNamesWhatOverflowed) {
    const BigInt max = (BigInt(1) << 127) - 1;
    EXPECT_EQ(checked_narrow(max, "x"), max_units());
    EXPECT_EQ(checked_narrow(-max, "x"), -max_units());
    EXPECT_EQ(checked_narrow(BigInt(0), "x"), MinorUnits(0));
    EXPECT_THROWS_KIND(checked_narrow(max + 1, "x"), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(checked_narrow(-max - 1, "x"), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(checked_narrow(BigInt(1) << 200, "x"), ErrorKind::out_of_range);
    EXPECT_EQ(thrown_message([&] { checked_narrow(max + 1, "scaled amount"); }),
              "scaled amount is out of range");
}

TEST(MoneyArithmetic, AddAndSubtract) {
    EXPECT_EQ(add(parse("12.50 USD"), parse("0.75 USD")), parse("13.25 USD"));
    EXPECT_EQ(add(parse("12.50 USD"), parse("-20 USD")), parse("-7.50 USD"));
    EXPECT_EQ(subtract(parse("12.50 USD"), parse("0.75 USD")), parse("11.75 USD"));
    EXPECT_EQ(subtract(parse("0 JPY"), parse("1 JPY")), parse("-1 JPY"));
    EXPECT_EQ(add(parse("0.000000000000000001 ETH"), parse("1 ETH")),
              parse("1.000000000000000001 ETH"));
}

TEST(MoneyArithmetic, RangeEndsAreReachableButNotPassed) {
    const Money max = units(kMax, "USD");
    const Money min = units("-" + kMax, "USD");
    const Money one = units(1, "USD");
    const Money minus_one = units(-1, "USD");

    EXPECT_EQ(add(units("170141183460469231731687303715884105726", "USD"), one), max);
    EXPECT_EQ(subtract(units("-170141183460469231731687303715884105726", "USD"), one), min);
    EXPECT_EQ(add(max, min), units(0, "USD"));
    EXPECT_EQ(subtract(max, max), units(0, "USD"));
    EXPECT_EQ(subtract(min, min), units(0, "USD"));

    EXPECT_THROWS_KIND(add(max, one), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(add(one, max), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(add(min, minus_one), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(add(max, max), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(add(min, min), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(subtract(max, minus_one), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(subtract(min, one), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(subtract(max, min), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(subtract(min, max), ErrorKind::out_of_range);
    EXPECT_EQ(thrown_message([&] { add(max, one); }), "monetary addition is out of range");
    EXPECT_EQ(thrown_message([&] { subtract(min, one); }), "monetary subtraction is out of range");
}

TEST(MoneyArithmetic, Multiply) {
    const Money max = units(kMax, "USD");
    const Money min = units("-" + kMax, "USD");
    EXPECT_EQ(multiply(parse("12.50 USD"), 3), parse("37.50 USD"));
    EXPECT_EQ(multiply(parse("12.50 USD"), -2), parse("-25.00 USD"));
    EXPECT_EQ(multiply(parse("12.50 USD"), 0), parse("0 USD"));
    EXPECT_EQ(multiply(max, 1), max);
    EXPECT_EQ(multiply(max, -1), min);
    EXPECT_EQ(multiply(min, -1), max);
    EXPECT_EQ(multiply(max, 0), units(0, "USD"));
    EXPECT_EQ(multiply(units(1, "JPY"), INT64_MIN), units("-9223372036854775808", "JPY"));
    EXPECT_EQ(multiply(units(-1, "JPY"), INT64_MIN), units("9223372036854775808", "JPY"));
    // 2^63 * 2^63 = 2^126 fits; 2^64 * 2^63 = 2^127 does not.
    EXPECT_EQ(multiply(units("-9223372036854775808", "JPY"), INT64_MIN),
              units("85070591730234615865843651857942052864", "JPY"));
    EXPECT_THROWS_KIND(multiply(units("18446744073709551616", "JPY"), INT64_MIN),
                       ErrorKind::out_of_range);
    // (2^127 - 1) / 2 = 2^126 - 1 doubles to 2^127 - 2; one more unit overflows.
    EXPECT_EQ(multiply(units("85070591730234615865843651857942052863", "USD"), 2),
              units("170141183460469231731687303715884105726", "USD"));
    EXPECT_THROWS_KIND(multiply(units("85070591730234615865843651857942052864", "USD"), 2),
                       ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(multiply(max, 2), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(multiply(min, 2), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(multiply(max, -2), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(multiply(max, INT64_MAX), ErrorKind::out_of_range);
    EXPECT_EQ(thrown_message([&] { multiply(max, 2); }), "monetary multiplication is out of range");
}

TEST(MoneyArithmetic, NegateAndAbsoluteNeverOverflow) {
    const Money max = units(kMax, "EUR");
    const Money min = units("-" + kMax, "EUR");
    EXPECT_EQ(negate(max), min);
    EXPECT_EQ(negate(min), max);
    EXPECT_EQ(absolute(min), max);
    EXPECT_EQ(absolute(max), max);
    EXPECT_EQ(negate(parse("0 EUR")), parse("0 EUR"));
    EXPECT_EQ(negate(parse("1.25 EUR")), parse("-1.25 EUR"));
    EXPECT_EQ(absolute(parse("-1.25 EUR")), parse("1.25 EUR"));
    EXPECT_EQ(negate(parse("1 KWD")).currency, currency("KWD"));
}

TEST(MoneyArithmetic, CurrenciesNeverMix) {
    const Money usd = parse("1.00 USD");
    const Money eur = parse("1.00 EUR");
    EXPECT_THROWS_KIND(add(usd, eur), ErrorKind::currency_mismatch);
    EXPECT_THROWS_KIND(subtract(usd, eur), ErrorKind::currency_mismatch);
    EXPECT_THROWS_KIND(compare(usd, eur), ErrorKind::currency_mismatch);
    EXPECT_THROWS_KIND(add(parse("1 ETH"), parse("1 BTC")), ErrorKind::currency_mismatch);
    // The check precedes the arithmetic, so a mismatch is reported even where the sum overflows.
    EXPECT_THROWS_KIND(add(units(kMax, "USD"), units(kMax, "EUR")), ErrorKind::currency_mismatch);
    EXPECT_EQ(thrown_message([&] { add(usd, eur); }), "cannot add USD and EUR");
    EXPECT_EQ(thrown_message([&] { subtract(eur, usd); }), "cannot subtract EUR and USD");
    EXPECT_EQ(thrown_message([&] { compare(usd, eur); }), "cannot compare USD and EUR");
}

// A registered code whose minor units changed (dropped and registered again) leaves stored values
// of both scales: 1.00 TMQ with 2 decimals is 100 raw units, 1.00000000 TMQ with 8 decimals is
// 100000000. Their raw units must never be combined.
Currency tmq(int minor_units) {
    return Currency{*ledger::CurrencyCode::parse("TMQ"), minor_units};
}
Money tmq_units(long long minor_units, int decimals) {
    return Money{MinorUnits(minor_units), tmq(decimals)};
}

TEST(MoneyArithmetic, SameCodeWithOtherMinorUnitsNeverMixes) {
    const Money two = tmq_units(100, 2);          // 1.00 TMQ
    const Money eight = tmq_units(100000000, 8);  // 1.00000000 TMQ
    const Money eight_same_raw = tmq_units(100, 8);
    EXPECT_THROWS_KIND(add(two, eight), ErrorKind::currency_mismatch);
    EXPECT_THROWS_KIND(add(two, eight_same_raw), ErrorKind::currency_mismatch);
    EXPECT_THROWS_KIND(subtract(eight, two), ErrorKind::currency_mismatch);
    EXPECT_THROWS_KIND(compare(two, eight_same_raw), ErrorKind::currency_mismatch);
    EXPECT_THROWS_KIND(compare(eight, two), ErrorKind::currency_mismatch);
    EXPECT_FALSE(equal(two, eight_same_raw));
    EXPECT_FALSE(equal(tmq_units(0, 2), tmq_units(0, 8)));
    EXPECT_EQ(thrown_message([&] { add(two, eight); }),
              "cannot add TMQ (2 decimals) and TMQ (8 decimals)");
    EXPECT_EQ(thrown_message([&] { subtract(eight, two); }),
              "cannot subtract TMQ (8 decimals) and TMQ (2 decimals)");
    EXPECT_EQ(thrown_message([&] { compare(tmq_units(1, 1), tmq_units(1, 0)); }),
              "cannot compare TMQ (1 decimal) and TMQ (0 decimals)");
    // The check precedes the arithmetic here too.
    EXPECT_THROWS_KIND(add(Money{max_units(), tmq(2)}, Money{max_units(), tmq(8)}),
                       ErrorKind::currency_mismatch);
    // Same scale still combines.
    EXPECT_EQ(add(two, tmq_units(1, 2)), tmq_units(101, 2));
    EXPECT_EQ(compare(eight, eight_same_raw), 1);
}

TEST(MoneyArithmetic, OtherCodeMessagesDoNotMentionMinorUnits) {
    // Regression files depend on this shape, also when the minor units differ.
    EXPECT_EQ(thrown_message([] { add(parse("1 USD"), parse("1 JPY")); }),
              "cannot add USD and JPY");
    EXPECT_EQ(thrown_message([] { compare(parse("1 ETH"), parse("1 BTC")); }),
              "cannot compare ETH and BTC");
}

TEST(MoneyCompare, OrdersWithinOneCurrency) {
    const Money max = units(kMax, "USD");
    const Money min = units("-" + kMax, "USD");
    EXPECT_EQ(compare(parse("1.00 USD"), parse("2.00 USD")), -1);
    EXPECT_EQ(compare(parse("2.00 USD"), parse("1.00 USD")), 1);
    EXPECT_EQ(compare(parse("2.00 USD"), parse("USD 2")), 0);
    EXPECT_EQ(compare(parse("-0.01 USD"), parse("0 USD")), -1);
    EXPECT_EQ(compare(min, max), -1);
    EXPECT_EQ(compare(max, min), 1);
    EXPECT_EQ(compare(max, max), 0);
}

TEST(MoneyEqual, DifferentCurrenciesAreNeverEqual) {
    EXPECT_TRUE(equal(parse("1.00 USD"), parse("USD 1")));
    EXPECT_FALSE(equal(parse("1.00 USD"), parse("1.01 USD")));
    EXPECT_FALSE(equal(parse("1.00 USD"), parse("1.00 EUR")));
    // Same minor units and amount, different code.
    EXPECT_FALSE(equal(parse("100 JPY"), parse("100 KRW")));
    EXPECT_FALSE(equal(units(0, "USD"), units(0, "EUR")));
}

// compare_total backs the btree operator class, which needs a strict weak total order on every
// pair of values, whatever their currencies.
Money any_money(const char *code, int minor_units, const MinorUnits &amount) {
    return Money{amount, Currency{*ledger::CurrencyCode::parse(code), minor_units}};
}

int sign_of(int value) {
    return value < 0 ? -1 : (value > 0 ? 1 : 0);
}

// The expected order, built without the code under test: the 7 code bytes as a string (NUL
// padding included, compared as unsigned chars by std::string), then minor units, then amount.
int reference_order(const Money &a, const Money &b) {
    const auto key = [](const Money &m) {
        const auto &bytes = m.currency.code.bytes();
        return std::string(bytes.begin(), bytes.end());
    };
    const int codes = key(a).compare(key(b));
    if (codes != 0) {
        return sign_of(codes);
    }
    if (a.currency.minor_units != b.currency.minor_units) {
        return a.currency.minor_units < b.currency.minor_units ? -1 : 1;
    }
    const BigInt x(a.amount);
    const BigInt y(b.amount);
    return x < y ? -1 : (x > y ? 1 : 0);
}

std::vector<Money> order_test_values() {
    const std::vector<MinorUnits> amounts = {
        -max_units(),  MinorUnits("-18446744073709551616"), MinorUnits(-1), MinorUnits(0),
        MinorUnits(1), MinorUnits("18446744073709551616"),  max_units(),
    };
    std::vector<Money> values;
    // Codes that are prefixes of one another, a digit after a prefix, both ends of the range.
    for (const char *code : {"EUR", "EURX", "EUR0", "USD", "A00", "ZZZZZZZ"}) {
        for (const int minor_units : {0, 2, 18}) {
            for (const MinorUnits &amount : amounts) {
                values.push_back(any_money(code, minor_units, amount));
            }
        }
    }
    return values;
}

TEST(MoneyCompareTotal, NeverThrows) {
    static_assert(noexcept(
        ledger::compare_total(std::declval<const Money &>(), std::declval<const Money &>())));
}

TEST(MoneyCompareTotal, CodeThenMinorUnitsThenAmount) {
    using ledger::compare_total;
    const MinorUnits max = max_units();
    // A code before its extensions, whatever the amounts.
    EXPECT_EQ(compare_total(any_money("EUR", 2, max), any_money("EURX", 2, -max)), -1);
    EXPECT_EQ(compare_total(any_money("EURX", 2, -max), any_money("EUR", 2, max)), 1);
    EXPECT_EQ(compare_total(any_money("EURX", 2, max), any_money("USD", 0, -max)), -1);
    EXPECT_EQ(compare_total(any_money("EUR0", 2, max), any_money("EURX", 2, -max)), -1);
    EXPECT_EQ(compare_total(any_money("EURXYZW", 18, max), any_money("EURY", 0, -max)), -1);
    // One code: fewer minor units first, whatever the amounts.
    EXPECT_EQ(compare_total(any_money("TMQ", 2, max), any_money("TMQ", 8, -max)), -1);
    EXPECT_EQ(compare_total(any_money("TMQ", 8, MinorUnits(0)), any_money("TMQ", 2, max)), 1);
    // One currency: by amount.
    EXPECT_EQ(compare_total(parse("1.00 USD"), parse("2.00 USD")), -1);
    EXPECT_EQ(compare_total(parse("-0.01 USD"), parse("-0.02 USD")), 1);
    EXPECT_EQ(compare_total(units(kMax, "USD"), units("-" + kMax, "USD")), 1);
    EXPECT_EQ(compare_total(parse("2.00 USD"), parse("USD 2")), 0);
    EXPECT_EQ(compare_total(negate(parse("0 USD")), parse("0 USD")), 0);
}

TEST(MoneyCompareTotal, IsAStrictWeakTotalOrder) {
    using ledger::compare_total;
    const std::vector<Money> values = order_test_values();
    for (const Money &a : values) {
        for (const Money &b : values) {
            const int ab = compare_total(a, b);
            ASSERT_TRUE(ab == -1 || ab == 0 || ab == 1);
            ASSERT_EQ(ab, reference_order(a, b)) << format_money(a) << " vs " << format_money(b);
            ASSERT_EQ(ab, -compare_total(b, a));  // antisymmetric
            ASSERT_EQ(ab == 0, equal(a, b));      // 0 exactly for equal values
        }
    }
    // Transitive, over every triple: a <= b <= c implies a <= c, strictly if either step is.
    for (const Money &a : values) {
        for (const Money &b : values) {
            const int ab = compare_total(a, b);
            if (ab > 0) {
                continue;
            }
            for (const Money &c : values) {
                const int bc = compare_total(b, c);
                if (bc > 0) {
                    continue;
                }
                const int ac = compare_total(a, c);
                ASSERT_LE(ac, 0);
                if (ab < 0 || bc < 0) {
                    ASSERT_EQ(ac, -1);
                }
            }
        }
    }
}

TEST(MoneyCompareTotal, AgreesWithCompareWheneverItReturns) {
    const std::vector<Money> values = order_test_values();
    int compared = 0;
    for (const Money &a : values) {
        for (const Money &b : values) {
            if (a.currency == b.currency) {
                ASSERT_EQ(compare(a, b), ledger::compare_total(a, b));
                ++compared;
            } else {
                // Another code, or the same code with other minor units.
                ASSERT_EQ(thrown_kind([&] { compare(a, b); }), ErrorKind::currency_mismatch);
            }
        }
    }
    EXPECT_EQ(compared, 6 * 3 * 7 * 7);
}

}  // namespace
}  // namespace ledger_test
