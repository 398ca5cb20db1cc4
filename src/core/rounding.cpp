#include "rounding.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "error.hpp"
#include "invariant.hpp"

namespace ledger {
namespace {

struct ModeName {
    const char *name;
    RoundingMode mode;
};

constexpr ModeName kModeNames[] = {
    {"half_even", RoundingMode::half_even}, {"half_up", RoundingMode::half_up},
    {"half_down", RoundingMode::half_down}, {"up", RoundingMode::up},
    {"down", RoundingMode::down},           {"ceiling", RoundingMode::ceiling},
    {"floor", RoundingMode::floor},
};

// Whether a quotient truncated toward zero moves one step away from zero.
bool rounds_away(RoundingMode mode, int sign, int half_comparison, bool truncated_is_odd) {
    switch (mode) {
        case RoundingMode::down:
            return false;
        case RoundingMode::up:
            return true;
        case RoundingMode::ceiling:
            return sign > 0;
        case RoundingMode::floor:
            return sign < 0;
        case RoundingMode::half_up:
            return half_comparison >= 0;
        case RoundingMode::half_down:
            return half_comparison > 0;
        case RoundingMode::half_even:
            return half_comparison > 0 || (half_comparison == 0 && truncated_is_odd);
    }
    return false;
}

BigInt power_of_ten(int exponent) {
    LEDGER_INVARIANT(exponent >= 0);
    return boost::multiprecision::pow(BigInt(10), static_cast<unsigned>(exponent));
}

// Bounds the work a hostile factor can cause. numeric itself holds up to 131072 digits before the
// point and 16383 after, so every finite numeric argument fits.
constexpr std::size_t kMaxDecimalDigits = 131072 + 16383 + 1;

// Decimal digits read into one 64-bit integer: 10^19 - 1 < 10^19 < 2^64.
constexpr std::size_t kChunkDigits = 19;
constexpr std::uint64_t kChunkBase = 10000000000000000000u;  // 10^19

// The integer that a string of decimal digits spells (the digits are checked by the caller).
// Chunks of 19 digits become 64-bit integers, which are then combined pairwise, level by level,
// high * 10^(digits of low) + low: with Boost's Karatsuba multiplication the whole is
// subquadratic, where folding one digit (or one chunk) at a time into a growing integer is
// quadratic. `poll` is called after each combination that brings the digits combined since the
// last call (at any level) to kDigitsPerPoll or more.
BigInt digits_to_integer(std::string_view digits, const InterruptPoll &poll) {
    // Least significant first; each holds exactly kChunkDigits digits but the last.
    std::vector<BigInt> groups;
    groups.reserve(digits.size() / kChunkDigits + 1);
    for (std::size_t end = digits.size(); end > 0;) {
        const std::size_t begin = end > kChunkDigits ? end - kChunkDigits : 0;
        std::uint64_t chunk = 0;
        for (std::size_t i = begin; i < end; ++i) {
            chunk = chunk * 10 + static_cast<std::uint64_t>(digits[i] - '0');
        }
        groups.emplace_back(chunk);
        end = begin;
    }
    BigInt group_base = kChunkBase;  // 10^(digits in each group but the last)
    std::size_t group_digits = kChunkDigits;
    std::size_t since_poll = 0;
    while (groups.size() > 1) {
        std::size_t paired = 0;
        for (std::size_t i = 0; i < groups.size(); i += 2, ++paired) {
            if (i + 1 == groups.size()) {
                groups[paired] = std::move(groups[i]);  // an odd one out moves up a level
                break;
            }
            BigInt combined = groups[i + 1] * group_base;
            combined += groups[i];
            groups[paired] = std::move(combined);
            since_poll += 2 * group_digits;
            if (since_poll >= kDigitsPerPoll) {
                since_poll = 0;
                if (poll) {
                    poll();
                }
            }
        }
        groups.resize(groups.size() / 2 + groups.size() % 2);
        if (groups.size() > 1) {
            group_base *= group_base;
            group_digits *= 2;
        }
    }
    return groups.empty() ? BigInt(0) : std::move(groups.front());
}

// numerator / denominator (positive) rounded, as an amount; throws out_of_range naming `what`.
// When |numerator / denominator| >= 2^127, the rounded quotient is too: every mode rounds to the
// floor or the ceiling, and 2^127 is an integer. That case is refused before dividing, which for
// a factor of many thousand digits is the costly step, with the very error checked_narrow raises
// for the rounded quotient; so the result, or the error, is always that of the exact division.
MinorUnits rounded_in_range(const BigInt &numerator, const BigInt &denominator, RoundingMode mode,
                            const char *what) {
    LEDGER_INVARIANT(denominator > 0);
    if (boost::multiprecision::abs(numerator) >= BigInt(denominator << 127)) {
        return checked_narrow(BigInt(1) << 127, what);  // throws
    }
    return checked_narrow(round_quotient(numerator, denominator, mode), what);
}

}  // namespace

RoundingMode parse_rounding_mode(std::string_view name) {
    for (const ModeName &entry : kModeNames) {
        if (name == entry.name) {
            return entry.mode;
        }
    }
    throw MoneyError(ErrorKind::invalid_parameter,
                     "unknown rounding mode \"" + std::string(name) + "\"",
                     "Use half_even, half_up, half_down, up, down, ceiling or floor.");
}

BigInt round_quotient(const BigInt &numerator, const BigInt &denominator, RoundingMode mode) {
    LEDGER_INVARIANT(denominator > 0);
    const BigInt truncated = numerator / denominator;  // toward zero
    const BigInt remainder = numerator % denominator;  // sign of the numerator
    if (remainder == 0) {
        return truncated;
    }
    const int sign = numerator < 0 ? -1 : 1;
    const BigInt twice = 2 * boost::multiprecision::abs(remainder);
    const int half_comparison = twice < denominator ? -1 : (twice > denominator ? 1 : 0);
    const bool odd = boost::multiprecision::bit_test(boost::multiprecision::abs(truncated), 0);
    const BigInt result =
        rounds_away(mode, sign, half_comparison, odd) ? truncated + sign : truncated;
    LEDGER_INVARIANT(boost::multiprecision::abs(result * denominator - numerator) < denominator);
    return result;
}

Decimal parse_decimal(std::string_view text, const char *what, const InterruptPoll &poll) {
    std::string_view digits = text;
    bool negative = false;
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
        negative = digits[0] == '-';
        digits.remove_prefix(1);
    }
    const std::size_t point = digits.find('.');
    const std::string_view whole = digits.substr(0, point);
    const std::string_view fraction =
        point == std::string_view::npos ? std::string_view() : digits.substr(point + 1);
    bool valid = !whole.empty() && digits.size() <= kMaxDecimalDigits &&
                 (point == std::string_view::npos || !fraction.empty());
    for (const std::string_view part : {whole, fraction}) {
        for (const char c : part) {
            valid = valid && c >= '0' && c <= '9';
        }
    }
    if (!valid) {
        throw MoneyError(ErrorKind::invalid_parameter, std::string(what) +
                                                           " must be a finite number, not \"" +
                                                           std::string(text.substr(0, 64)) + "\"");
    }
    // The coefficient's digits without leading zeros. Boost's own string conversion is not used:
    // it reads a leading 0 as an octal prefix.
    std::string all;
    all.reserve(whole.size() + fraction.size());
    all.append(whole).append(fraction);
    const std::size_t first_significant = std::min(all.find_first_not_of('0'), all.size());
    Decimal decimal{digits_to_integer(std::string_view(all).substr(first_significant), poll),
                    static_cast<int>(fraction.size())};
    if (negative) {
        decimal.coefficient = -decimal.coefficient;
    }
    return decimal;
}

Money scale(const Money &money, const Decimal &factor, RoundingMode mode) {
    const BigInt exact = BigInt(money.amount) * factor.coefficient;
    return Money{rounded_in_range(exact, power_of_ten(factor.scale), mode, "scaled amount"),
                 money.currency};
}

Money convert(const Money &money, const Decimal &rate, const Currency &target, RoundingMode mode) {
    if (rate.coefficient <= 0) {
        throw MoneyError(ErrorKind::invalid_parameter, "exchange rate must be positive");
    }
    const int shift = target.minor_units - money.currency.minor_units;
    const BigInt numerator =
        BigInt(money.amount) * rate.coefficient * power_of_ten(shift > 0 ? shift : 0);
    const BigInt denominator = power_of_ten(rate.scale) * power_of_ten(shift < 0 ? -shift : 0);
    return Money{rounded_in_range(numerator, denominator, mode, "converted amount"), target};
}

}  // namespace ledger
