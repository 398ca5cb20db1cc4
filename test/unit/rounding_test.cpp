// Explicit rounding: every mode on a table of halves, non-halves and exact quotients of both
// signs, checked directly, through scale() and against an independent reference; decimal factor
// parsing; and conversion between currencies with different minor units.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rounding.hpp"
#include "test_support.hpp"

namespace ledger_test {
namespace {

using ledger::convert;
using ledger::Decimal;
using ledger::parse_decimal;
using ledger::parse_rounding_mode;
using ledger::round_quotient;
using ledger::RoundingMode;

constexpr std::array<RoundingMode, 7> kModes = {
    RoundingMode::half_even, RoundingMode::half_up, RoundingMode::half_down, RoundingMode::up,
    RoundingMode::down,      RoundingMode::ceiling, RoundingMode::floor,
};
constexpr std::array<const char *, 7> kModeNames = {"half_even", "half_up", "half_down", "up",
                                                    "down",      "ceiling", "floor"};

Decimal decimal(const char *text) {
    return parse_decimal(text, "factor");
}

// numerator / denominator and the expected result in each mode, in the order of kModes.
struct QuotientCase {
    long long numerator;
    long long denominator;
    std::array<long long, 7> expected;  // half_even half_up half_down up down ceiling floor
};

const std::vector<QuotientCase> &quotient_cases() {
    static const std::vector<QuotientCase> cases = {
        // Exact halves, both parities of the truncated quotient, both signs.
        {25, 10, {2, 3, 2, 3, 2, 3, 2}},
        {15, 10, {2, 2, 1, 2, 1, 2, 1}},
        {-25, 10, {-2, -3, -2, -3, -2, -2, -3}},
        {-15, 10, {-2, -2, -1, -2, -1, -1, -2}},
        {5, 10, {0, 1, 0, 1, 0, 1, 0}},
        {-5, 10, {0, -1, 0, -1, 0, 0, -1}},
        {7, 2, {4, 4, 3, 4, 3, 4, 3}},
        {-7, 2, {-4, -4, -3, -4, -3, -3, -4}},
        {1, 2, {0, 1, 0, 1, 0, 1, 0}},
        {-1, 2, {0, -1, 0, -1, 0, 0, -1}},
        {3, 2, {2, 2, 1, 2, 1, 2, 1}},
        {-3, 2, {-2, -2, -1, -2, -1, -1, -2}},
        // Above and below a half.
        {26, 10, {3, 3, 3, 3, 2, 3, 2}},
        {24, 10, {2, 2, 2, 3, 2, 3, 2}},
        {-26, 10, {-3, -3, -3, -3, -2, -2, -3}},
        {-24, 10, {-2, -2, -2, -3, -2, -2, -3}},
        {1, 3, {0, 0, 0, 1, 0, 1, 0}},
        {-1, 3, {0, 0, 0, -1, 0, 0, -1}},
        {2, 3, {1, 1, 1, 1, 0, 1, 0}},
        {-2, 3, {-1, -1, -1, -1, 0, 0, -1}},
        {1, 1000, {0, 0, 0, 1, 0, 1, 0}},
        {-1, 1000, {0, 0, 0, -1, 0, 0, -1}},
        {999, 1000, {1, 1, 1, 1, 0, 1, 0}},
        {-999, 1000, {-1, -1, -1, -1, 0, 0, -1}},
        // Just off the half: a mode that only looked at the first digit would call these halves.
        {500001, 1000000, {1, 1, 1, 1, 0, 1, 0}},
        {499999, 1000000, {0, 0, 0, 1, 0, 1, 0}},
        {-500001, 1000000, {-1, -1, -1, -1, 0, 0, -1}},
        {-499999, 1000000, {0, 0, 0, -1, 0, 0, -1}},
        {1500001, 1000000, {2, 2, 2, 2, 1, 2, 1}},
        // Exact quotients are never moved.
        {20, 10, {2, 2, 2, 2, 2, 2, 2}},
        {-20, 10, {-2, -2, -2, -2, -2, -2, -2}},
        {0, 10, {0, 0, 0, 0, 0, 0, 0}},
        {0, 1, {0, 0, 0, 0, 0, 0, 0}},
        {-7, 1, {-7, -7, -7, -7, -7, -7, -7}},
        {123456789,
         1,
         {123456789, 123456789, 123456789, 123456789, 123456789, 123456789, 123456789}},
    };
    return cases;
}

TEST(RoundingMode, ParsesEveryName) {
    for (std::size_t i = 0; i < kModes.size(); ++i) {
        EXPECT_EQ(parse_rounding_mode(kModeNames[i]), kModes[i]) << kModeNames[i];
    }
    for (const char *name : {"", "half-even", "bankers", "round", "half_evenx", " up"}) {
        EXPECT_THROWS_KIND(parse_rounding_mode(name), ErrorKind::invalid_parameter) << name;
    }
    EXPECT_EQ(thrown_message([] { parse_rounding_mode("bankers"); }),
              "unknown rounding mode \"bankers\"");
}

TEST(RoundQuotient, TableOfCasesInEveryMode) {
    for (const QuotientCase &c : quotient_cases()) {
        for (std::size_t m = 0; m < kModes.size(); ++m) {
            EXPECT_EQ(round_quotient(BigInt(c.numerator), BigInt(c.denominator), kModes[m]),
                      BigInt(c.expected[m]))
                << c.numerator << "/" << c.denominator << " " << kModeNames[m];
        }
    }
}

// An independent reference: floor and ceiling by definition, then the mode picks one of them.
BigInt reference_round(long long n, long long d, RoundingMode mode) {
    long long floor_q = n / d;
    if (floor_q * d > n) {
        --floor_q;
    }
    const long long ceil_q = floor_q * d == n ? floor_q : floor_q + 1;
    if (floor_q == ceil_q) {
        return floor_q;
    }
    const long long toward_zero = n < 0 ? ceil_q : floor_q;
    const long long away = n < 0 ? floor_q : ceil_q;
    // Twice the distance to the floor against the denominator: below, at or above the half.
    const long long twice_from_floor = 2 * (n - floor_q * d);
    const long long nearest = twice_from_floor < d ? floor_q : ceil_q;
    const bool tie = twice_from_floor == d;
    switch (mode) {
        case RoundingMode::up:
            return away;
        case RoundingMode::down:
            return toward_zero;
        case RoundingMode::ceiling:
            return ceil_q;
        case RoundingMode::floor:
            return floor_q;
        case RoundingMode::half_up:
            return tie ? away : nearest;
        case RoundingMode::half_down:
            return tie ? toward_zero : nearest;
        case RoundingMode::half_even:
            return tie ? (floor_q % 2 == 0 ? floor_q : ceil_q) : nearest;
    }
    return 0;
}

TEST(RoundQuotient, AgreesWithReferenceOnASweep) {
    for (long long d = 1; d <= 12; ++d) {
        for (long long n = -60; n <= 60; ++n) {
            for (std::size_t m = 0; m < kModes.size(); ++m) {
                ASSERT_EQ(round_quotient(BigInt(n), BigInt(d), kModes[m]),
                          reference_round(n, d, kModes[m]))
                    << n << "/" << d << " " << kModeNames[m];
            }
        }
    }
}

TEST(RoundQuotient, BeyondTheMoneyRange) {
    // (2^128 - 1) / 2 = 2^127 - 0.5: intermediates are unbounded, only the final narrow checks.
    const BigInt numerator = (BigInt(1) << 128) - 1;
    const BigInt below = (BigInt(1) << 127) - 1;  // odd
    const BigInt above = BigInt(1) << 127;        // even
    const std::array<BigInt, 7> expected = {above, above, below, above, below, above, below};
    for (std::size_t m = 0; m < kModes.size(); ++m) {
        EXPECT_EQ(round_quotient(numerator, BigInt(2), kModes[m]), expected[m]) << kModeNames[m];
        EXPECT_EQ(round_quotient(-numerator, BigInt(2), kModes[m]),
                  m == 5 ? -below : (m == 6 ? -above : -expected[m]))
            << "negative " << kModeNames[m];
    }
}

TEST(Scale, TableOfCasesInEveryMode) {
    // n minor units times 1/d, as a decimal factor, is n/d rounded: the table again via scale().
    int used = 0;
    for (const QuotientCase &c : quotient_cases()) {
        // A decimal factor can only express 1/d for d dividing a power of ten.
        long long power = 1;
        int digits = 0;
        while (power % c.denominator != 0 && digits < 7) {
            power *= 10;
            ++digits;
        }
        if (power % c.denominator != 0) {
            continue;
        }
        const Decimal factor{BigInt(power / c.denominator), digits};
        for (std::size_t m = 0; m < kModes.size(); ++m) {
            EXPECT_EQ(ledger::scale(units(c.numerator, "USD"), factor, kModes[m]),
                      units(c.expected[m], "USD"))
                << c.numerator << "/" << c.denominator << " " << kModeNames[m];
        }
        ++used;
    }
    EXPECT_GE(used, 30);
}

TEST(Scale, RealisticFactors) {
    const Money price = parse("19.99 USD");
    const Decimal tax = decimal("0.0825");  // 1.649175
    EXPECT_EQ(ledger::scale(price, tax, RoundingMode::half_even), parse("1.65 USD"));
    EXPECT_EQ(ledger::scale(price, tax, RoundingMode::down), parse("1.64 USD"));
    EXPECT_EQ(ledger::scale(price, tax, RoundingMode::ceiling), parse("1.65 USD"));
    EXPECT_EQ(ledger::scale(negate(price), tax, RoundingMode::half_even), parse("-1.65 USD"));
    EXPECT_EQ(ledger::scale(negate(price), tax, RoundingMode::ceiling), parse("-1.64 USD"));
    EXPECT_EQ(ledger::scale(negate(price), tax, RoundingMode::floor), parse("-1.65 USD"));
    EXPECT_EQ(ledger::scale(parse("10.00 USD"), decimal("0.075"), RoundingMode::up),
              parse("0.75 USD"));
    // 0.05 EUR * 0.5 = 0.025: in half_even the half goes to the even cent.
    EXPECT_EQ(ledger::scale(parse("0.05 EUR"), decimal("0.5"), RoundingMode::half_even),
              parse("0.02 EUR"));
    EXPECT_EQ(ledger::scale(parse("0.05 EUR"), decimal("0.5"), RoundingMode::half_up),
              parse("0.03 EUR"));
    EXPECT_EQ(ledger::scale(parse("0.07 EUR"), decimal("0.5"), RoundingMode::half_even),
              parse("0.04 EUR"));
    EXPECT_EQ(ledger::scale(parse("3 JPY"), decimal("-1.5"), RoundingMode::half_even),
              parse("-4 JPY"));
    EXPECT_EQ(ledger::scale(parse("1.234 KWD"), decimal("0"), RoundingMode::up), parse("0 KWD"));
    // A leading-zero factor is decimal, not octal: 0.012 * 1000.00 = 12.00.
    EXPECT_EQ(ledger::scale(parse("1000.00 USD"), decimal("0.012"), RoundingMode::half_even),
              parse("12.00 USD"));
    EXPECT_EQ(
        ledger::scale(parse("1 ETH"), decimal("0.000000000000000001"), RoundingMode::half_even),
        parse("0.000000000000000001 ETH"));
}

TEST(Scale, RangeEnds) {
    const Money max = units(kMax, "USD");
    const Money min = units("-" + kMax, "USD");
    EXPECT_EQ(ledger::scale(max, decimal("1"), RoundingMode::half_even), max);
    EXPECT_EQ(ledger::scale(max, decimal("1.000"), RoundingMode::half_even), max);
    EXPECT_EQ(ledger::scale(max, decimal("-1"), RoundingMode::half_even), min);
    EXPECT_EQ(ledger::scale(min, decimal("-1"), RoundingMode::half_even), max);
    // (2^127 - 1) * 0.5 = 2^126 - 0.5.
    EXPECT_EQ(ledger::scale(max, decimal("0.5"), RoundingMode::half_even),
              units("85070591730234615865843651857942052864", "USD"));
    EXPECT_EQ(ledger::scale(max, decimal("0.5"), RoundingMode::down),
              units("85070591730234615865843651857942052863", "USD"));
    EXPECT_THROWS_KIND(ledger::scale(max, decimal("2"), RoundingMode::half_even),
                       ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(ledger::scale(min, decimal("1.0000000001"), RoundingMode::down),
                       ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(ledger::scale(max, decimal("-1.01"), RoundingMode::floor),
                       ErrorKind::out_of_range);
    // Rounding can carry a value just past the end: (2^127 - 1) * 1.0000...01 rounds up past it.
    EXPECT_THROWS_KIND(ledger::scale(max, decimal("1.00000000000000000000000000000000000000001"),
                                     RoundingMode::up),
                       ErrorKind::out_of_range);
    EXPECT_EQ(ledger::scale(max, decimal("1.00000000000000000000000000000000000000001"),
                            RoundingMode::down),
              max);
    EXPECT_EQ(thrown_message([&] { ledger::scale(max, decimal("2"), RoundingMode::up); }),
              "scaled amount is out of range");
}

TEST(ParseDecimal, Values) {
    struct Case {
        const char *text;
        long long coefficient;
        int scale;
    };
    for (const Case &c : {
             Case{"0", 0, 0},
             Case{"10", 10, 0},
             Case{"-12.345", -12345, 3},
             Case{"+1.25", 125, 2},
             Case{"1.000", 1000, 3},
             // Leading zeros once went through a parser that took "0..." for octal.
             Case{"0.012", 12, 3},
             Case{"012", 12, 0},
             Case{"0008", 8, 0},
             Case{"0.089", 89, 3},
             Case{"-0.5", -5, 1},
             Case{"-00.0709", -709, 4},
             Case{"0.000000000000000001", 1, 18},
         }) {
        SCOPED_TRACE(c.text);
        const Decimal parsed = decimal(c.text);
        EXPECT_EQ(parsed.coefficient, BigInt(c.coefficient));
        EXPECT_EQ(parsed.scale, c.scale);
    }
    const Decimal big_value = decimal("123456789012345678901234567890123456789012345.6789");
    EXPECT_EQ(big_value.coefficient, big("1234567890123456789012345678901234567890123456789"));
    EXPECT_EQ(big_value.scale, 4);
}

TEST(ParseDecimal, RejectsNonFiniteAndMalformed) {
    for (const char *text :
         {"",    "-",   "+",    ".",     ".5", "5.", "-.5",  "NaN", "nan", "Infinity", "-Infinity",
          "inf", "1e3", "1E-3", "1.2.3", " 1", "1 ", "0x10", "1,5", "--1", "+-1",      "1_000"}) {
        SCOPED_TRACE(text);
        EXPECT_THROWS_KIND(parse_decimal(text, "factor"), ErrorKind::invalid_parameter);
    }
    EXPECT_EQ(thrown_message([] { parse_decimal("NaN", "rate"); }),
              "rate must be a finite number, not \"NaN\"");
    // Every finite numeric fits (up to 131072 digits before the point, 16383 after); beyond that
    // the digit count is bounded so a hostile factor cannot cost unbounded work.
    EXPECT_EQ(decimal(("0." + std::string(16382, '0') + "1").c_str()).scale, 16383);
    EXPECT_NO_THROW(parse_decimal("1" + std::string(131071, '0'), "factor"));
    EXPECT_THROWS_KIND(parse_decimal(std::string(200000, '7'), "factor"),
                       ErrorKind::invalid_parameter);
}

// The coefficient as the old parser built it, one digit at a time: slow, but plainly right.
BigInt digit_by_digit(const std::string &digits) {
    BigInt value = 0;
    for (const char c : digits) {
        value = value * 10 + (c - '0');
    }
    return value;
}

TEST(ParseDecimal, LongCoefficientsAreExact) {
    // Every length around the 19-digit chunks and the pairing levels, with leading zeros too.
    std::uint64_t state = 12345;
    auto next_digit = [&state] {
        state = state * 6364136223846793005u + 1442695040888963407u;
        return static_cast<char>('0' + (state >> 33) % 10);
    };
    std::vector<std::size_t> lengths;
    for (std::size_t n = 1; n <= 160; ++n) {
        lengths.push_back(n);
    }
    for (const std::size_t n : {303u, 608u, 1216u, 4096u, 4097u, 9999u}) {
        lengths.push_back(n);
    }
    for (const std::size_t n : lengths) {
        std::string digits;
        for (std::size_t i = 0; i < n; ++i) {
            digits += next_digit();
        }
        SCOPED_TRACE(n);
        const Decimal whole = decimal(digits.c_str());
        ASSERT_EQ(whole.coefficient, digit_by_digit(digits));
        ASSERT_EQ(whole.scale, 0);
        const std::string with_fraction = "-" + digits + "." + digits;
        const Decimal split = decimal(with_fraction.c_str());
        ASSERT_EQ(split.coefficient, -digit_by_digit(digits + digits));
        ASSERT_EQ(split.scale, static_cast<int>(n));
        const Decimal padded = decimal(("000" + digits + ".0").c_str());
        ASSERT_EQ(padded.coefficient, digit_by_digit(digits) * 10);
    }
}

TEST(ParseDecimal, LargestNumericsAreExact) {
    // 10^131071 (131072 digits before the point) and 10^-16383 (16383 after).
    const std::string one_then_zeros = "1" + std::string(131071, '0');
    const Decimal huge = parse_decimal(one_then_zeros, "factor");
    EXPECT_EQ(huge.coefficient, boost::multiprecision::pow(BigInt(10), 131071));
    EXPECT_EQ(huge.scale, 0);
    const Decimal tiny = parse_decimal("0." + std::string(16382, '0') + "1", "factor");
    EXPECT_EQ(tiny.coefficient, BigInt(1));
    EXPECT_EQ(tiny.scale, 16383);
    // All nines in both parts: 10^(131072 + 16383) - 1.
    const Decimal nines =
        parse_decimal("-" + std::string(131072, '9') + "." + std::string(16383, '9'), "factor");
    EXPECT_EQ(nines.coefficient, 1 - boost::multiprecision::pow(BigInt(10), 131072 + 16383));
    EXPECT_EQ(nines.scale, 16383);
    // The length bound is unchanged: 131072 + 16383 digits and a point.
    EXPECT_EQ(parse_decimal("1" + std::string(131072 + 16383, '0'), "factor").scale, 0);
    EXPECT_THROWS_KIND(parse_decimal("1" + std::string(131072 + 16383 + 1, '0'), "factor"),
                       ErrorKind::invalid_parameter);
}

TEST(ParseDecimal, PollIsCalledForLongInputsOnly) {
    int calls = 0;
    const ledger::InterruptPoll counting = [&calls] { ++calls; };
    EXPECT_EQ(parse_decimal("12.345", "factor", counting).coefficient, BigInt(12345));
    EXPECT_EQ(parse_decimal(std::string(300, '7'), "factor", counting).scale, 0);
    EXPECT_EQ(calls, 0);
    parse_decimal("1" + std::string(131071, '0'), "factor", counting);
    // At least once for every kDigitsPerPoll digits of the input (more: every level counts).
    EXPECT_GE(calls, static_cast<int>(131072 / ledger::kDigitsPerPoll));
    // Leading zeros cost nothing, so they need no poll.
    calls = 0;
    parse_decimal("0." + std::string(16382, '0') + "1", "factor", counting);
    EXPECT_EQ(calls, 0);
    // An empty poll is simply not called.
    EXPECT_EQ(
        parse_decimal("1" + std::string(5000, '0'), "factor", ledger::InterruptPoll()).coefficient,
        boost::multiprecision::pow(BigInt(10), 5000));
}

TEST(ParseDecimal, AnExceptionFromThePollPropagates) {
    struct Cancelled {};
    int calls = 0;
    const ledger::InterruptPoll cancel_on_third = [&calls] {
        if (++calls == 3) {
            throw Cancelled{};
        }
    };
    EXPECT_THROW(parse_decimal(std::string(131072, '3'), "factor", cancel_on_third), Cancelled);
    EXPECT_EQ(calls, 3);  // nothing ran after it
    const ledger::InterruptPoll money_error = [] {
        throw ledger::MoneyError(ErrorKind::invalid_parameter, "canceled");
    };
    EXPECT_EQ(thrown_message([&] { parse_decimal(std::string(50000, '3'), "f", money_error); }),
              "canceled");
}

TEST(Scale, HugeFactors) {
    const Decimal huge = parse_decimal("1" + std::string(131071, '0'), "factor");
    const Decimal tiny = parse_decimal("0." + std::string(16382, '0') + "1", "factor");
    const Decimal huge_with_fraction =
        parse_decimal(std::string(131072, '9') + "." + std::string(16383, '9'), "factor");
    const Money max = units(kMax, "USD");
    for (const RoundingMode mode : kModes) {
        // Zero times anything is zero, in the amount's currency.
        EXPECT_EQ(ledger::scale(parse("0 USD"), huge, mode), parse("0 USD"));
        EXPECT_EQ(ledger::scale(parse("0 ETH"), huge_with_fraction, mode), parse("0 ETH"));
        EXPECT_EQ(convert(parse("0 USD"), huge, currency("ETH"), mode), parse("0 ETH"));
        // Any other amount overflows, with the same error as an exact computation raises.
        for (const Money &amount : {units(1, "USD"), units(-1, "USD"), max}) {
            EXPECT_THROWS_KIND(ledger::scale(amount, huge, mode), ErrorKind::out_of_range);
            EXPECT_THROWS_KIND(ledger::scale(amount, huge_with_fraction, mode),
                               ErrorKind::out_of_range);
            EXPECT_THROWS_KIND(convert(amount, huge, currency("JPY"), mode),
                               ErrorKind::out_of_range);
        }
    }
    EXPECT_EQ(thrown_message([&] { ledger::scale(units(1, "USD"), huge, RoundingMode::down); }),
              "scaled amount is out of range");
    EXPECT_EQ(thrown_message(
                  [&] { convert(units(1, "ETH"), huge, currency("JPY"), RoundingMode::down); }),
              "converted amount is out of range");
    // 10^-16383 of the largest amount rounds to zero or one minor unit, by the mode.
    EXPECT_EQ(ledger::scale(max, tiny, RoundingMode::half_even), parse("0 USD"));
    EXPECT_EQ(ledger::scale(max, tiny, RoundingMode::up), units(1, "USD"));
    EXPECT_EQ(ledger::scale(max, tiny, RoundingMode::ceiling), units(1, "USD"));
    EXPECT_EQ(ledger::scale(negate(max), tiny, RoundingMode::floor), units(-1, "USD"));
    EXPECT_EQ(ledger::scale(negate(max), tiny, RoundingMode::ceiling), parse("0 USD"));
    EXPECT_EQ(convert(max, tiny, currency("ETH"), RoundingMode::up), units(1, "ETH"));
}

// scale() as the exact computation defines it, without refusing anything early.
std::optional<Money> exact_scale(const Money &money, const Decimal &factor, RoundingMode mode) {
    const BigInt rounded =
        round_quotient(BigInt(money.amount) * factor.coefficient,
                       boost::multiprecision::pow(BigInt(10), factor.scale), mode);
    if (boost::multiprecision::abs(rounded) > (BigInt(1) << 127) - 1) {
        return std::nullopt;
    }
    return Money{MinorUnits(rounded), money.currency};
}

TEST(Scale, EarlyRefusalMatchesTheExactComputation) {
    // Factors around 2^127 / amount, where the early refusal and the division meet.
    const BigInt two_to_127 = BigInt(1) << 127;
    std::vector<std::string> factors;
    for (const int amount : {1, 2, 3, 7, 1000}) {
        const BigInt quotient = two_to_127 / amount;
        for (const int offset : {-1, 0, 1}) {
            const std::string whole = BigInt(quotient + offset).str();
            for (const char *fraction : {"", ".0", ".4999", ".5", ".5001", ".9999999999"}) {
                factors.push_back(whole + fraction);
                factors.push_back("-" + whole + fraction);
            }
        }
    }
    int refused = 0;
    int computed = 0;
    for (const std::string &text : factors) {
        const Decimal factor = decimal(text.c_str());
        for (const long long amount : {1LL, -1LL, 2LL, 3LL, -7LL, 1000LL}) {
            for (const RoundingMode mode : kModes) {
                const Money money = units(amount, "JPY");
                const std::optional<Money> expected = exact_scale(money, factor, mode);
                SCOPED_TRACE(text + " * " + std::to_string(amount));
                if (expected) {
                    ASSERT_EQ(ledger::scale(money, factor, mode), *expected);
                    ++computed;
                } else {
                    ASSERT_EQ(thrown_message([&] { ledger::scale(money, factor, mode); }),
                              "scaled amount is out of range");
                    ++refused;
                }
            }
        }
    }
    // Both sides of the boundary were reached.
    EXPECT_GT(refused, 100);
    EXPECT_GT(computed, 100);
    // At the boundary itself: (2^127 - 0.5) * 1 is max rounded down, 2^127 rounded up.
    const Decimal just_below = decimal("170141183460469231731687303715884105727.5");
    EXPECT_EQ(ledger::scale(units(1, "JPY"), just_below, RoundingMode::down), units(kMax, "JPY"));
    EXPECT_THROWS_KIND(ledger::scale(units(1, "JPY"), just_below, RoundingMode::half_even),
                       ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(
        ledger::scale(units(1, "JPY"), decimal(kMaxPlusOne.c_str()), RoundingMode::down),
        ErrorKind::out_of_range);
}

TEST(Convert, BetweenDifferentMinorUnits) {
    // USD (2) to JPY (0): 12.34 * 151.237 = 1866.26458.
    const Decimal usd_jpy = decimal("151.237");
    EXPECT_EQ(convert(parse("12.34 USD"), usd_jpy, currency("JPY"), RoundingMode::half_even),
              parse("1866 JPY"));
    EXPECT_EQ(convert(parse("12.34 USD"), usd_jpy, currency("JPY"), RoundingMode::up),
              parse("1867 JPY"));
    EXPECT_EQ(convert(parse("-12.34 USD"), usd_jpy, currency("JPY"), RoundingMode::floor),
              parse("-1867 JPY"));
    EXPECT_EQ(convert(parse("-12.34 USD"), usd_jpy, currency("JPY"), RoundingMode::ceiling),
              parse("-1866 JPY"));

    // JPY (0) to USD (2), a rate with leading zeros: 1000 * 0.0066 = 6.60 exactly.
    const Decimal jpy_usd = decimal("0.0066");
    EXPECT_EQ(convert(parse("1000 JPY"), jpy_usd, currency("USD"), RoundingMode::down),
              parse("6.60 USD"));
    EXPECT_EQ(convert(parse("1 JPY"), jpy_usd, currency("USD"), RoundingMode::half_even),
              parse("0.01 USD"));  // 0.0066
    EXPECT_EQ(convert(parse("1 JPY"), jpy_usd, currency("USD"), RoundingMode::down),
              parse("0 USD"));

    // USD (2) to KWD (3): 10.00 * 0.30705 = 3.0705, a half of a fils.
    const Decimal usd_kwd = decimal("0.30705");
    EXPECT_EQ(convert(parse("10 USD"), usd_kwd, currency("KWD"), RoundingMode::half_even),
              parse("3.070 KWD"));
    EXPECT_EQ(convert(parse("10 USD"), usd_kwd, currency("KWD"), RoundingMode::half_up),
              parse("3.071 KWD"));
    EXPECT_EQ(convert(parse("10 USD"), usd_kwd, currency("KWD"), RoundingMode::half_down),
              parse("3.070 KWD"));

    // To and from a registered currency with 18 minor units.
    EXPECT_EQ(convert(parse("1 USD"), decimal("0.000312"), currency("ETH"), RoundingMode::down),
              parse("0.000312 ETH"));
    const Money wei = parse("0.000000000000000001 ETH");
    EXPECT_EQ(convert(wei, decimal("3200.5"), currency("USD"), RoundingMode::half_even),
              parse("0 USD"));
    EXPECT_EQ(convert(wei, decimal("3200.5"), currency("USD"), RoundingMode::ceiling),
              parse("0.01 USD"));
    EXPECT_EQ(convert(negate(wei), decimal("3200.5"), currency("USD"), RoundingMode::up),
              parse("-0.01 USD"));
    EXPECT_EQ(convert(parse("2.5 ETH"), decimal("2"), currency("PTS"), RoundingMode::half_even),
              parse("5 PTS"));

    // The result carries the target currency even at rate 1.
    const Money same =
        convert(parse("1.50 EUR"), decimal("1"), currency("EUR"), RoundingMode::half_even);
    EXPECT_EQ(same, parse("1.50 EUR"));
    EXPECT_EQ(
        convert(parse("1.50 EUR"), decimal("1"), currency("GBP"), RoundingMode::down).currency,
        currency("GBP"));
}

TEST(Convert, RateMustBePositiveAndResultInRange) {
    for (const char *rate : {"0", "0.000", "-1.2", "-0.0001"}) {
        SCOPED_TRACE(rate);
        EXPECT_THROWS_KIND(
            convert(parse("1 USD"), decimal(rate), currency("EUR"), RoundingMode::half_even),
            ErrorKind::invalid_parameter);
    }
    // The full JPY range has no room for 18 more decimals.
    EXPECT_THROWS_KIND(
        convert(units(kMax, "JPY"), decimal("1"), currency("ETH"), RoundingMode::half_even),
        ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(
        convert(units("-" + kMax, "USD"), decimal("1"), currency("KWD"), RoundingMode::half_even),
        ErrorKind::out_of_range);
    // Going to fewer decimals shrinks the amount, so the far end of the range converts.
    EXPECT_EQ(convert(units(kMax, "ETH"), decimal("1"), currency("JPY"), RoundingMode::down),
              parse("170141183460469231731 JPY"));
    EXPECT_EQ(thrown_message([] {
                  convert(units(kMax, "USD"), decimal("10"), currency("USD"), RoundingMode::up);
              }),
              "converted amount is out of range");
}

}  // namespace
}  // namespace ledger_test
