#include "rounding.hpp"

#include <string>

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

Decimal parse_decimal(std::string_view text, const char *what) {
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
    std::string all;
    for (const std::string_view part : {whole, fraction}) {
        for (const char c : part) {
            valid = valid && c >= '0' && c <= '9';
            all += c;
        }
    }
    if (!valid) {
        throw MoneyError(ErrorKind::invalid_parameter, std::string(what) +
                                                           " must be a finite number, not \"" +
                                                           std::string(text.substr(0, 64)) + "\"");
    }
    // Boost reads a leading 0 as an octal prefix, so the digits are accumulated here instead.
    BigInt coefficient = 0;
    for (const char c : all) {
        coefficient = coefficient * 10 + (c - '0');
    }
    Decimal decimal{coefficient, static_cast<int>(fraction.size())};
    if (negative) {
        decimal.coefficient = -decimal.coefficient;
    }
    return decimal;
}

Money scale(const Money &money, const Decimal &factor, RoundingMode mode) {
    const BigInt exact = BigInt(money.amount) * factor.coefficient;
    const BigInt rounded = round_quotient(exact, power_of_ten(factor.scale), mode);
    return Money{checked_narrow(rounded, "scaled amount"), money.currency};
}

Money convert(const Money &money, const Decimal &rate, const Currency &target, RoundingMode mode) {
    if (rate.coefficient <= 0) {
        throw MoneyError(ErrorKind::invalid_parameter, "exchange rate must be positive");
    }
    const int shift = target.minor_units - money.currency.minor_units;
    const BigInt numerator =
        BigInt(money.amount) * rate.coefficient * power_of_ten(shift > 0 ? shift : 0);
    const BigInt denominator = power_of_ten(rate.scale) * power_of_ten(shift < 0 ? -shift : 0);
    const BigInt rounded = round_quotient(numerator, denominator, mode);
    return Money{checked_narrow(rounded, "converted amount"), target};
}

}  // namespace ledger
