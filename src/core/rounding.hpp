// Explicit rounding: the only way an amount loses precision is through one of these modes,
// named by the caller.
#pragma once

#include <optional>
#include <string_view>

#include "minor_units.hpp"
#include "money.hpp"

namespace ledger {

enum class RoundingMode { half_even, half_up, half_down, up, down, ceiling, floor };

// Parses a mode name ("half_even", ...); throws invalid_parameter listing the valid names.
RoundingMode parse_rounding_mode(std::string_view name);

// numerator / denominator rounded to an integer; denominator must be positive.
BigInt round_quotient(const BigInt &numerator, const BigInt &denominator, RoundingMode mode);

// A finite decimal number: coefficient * 10^-scale.
struct Decimal {
    BigInt coefficient;
    int scale = 0;
};

// Parses "-12.345" (as PostgreSQL prints numeric); throws invalid_parameter for NaN, Infinity
// or anything else. `what` names the argument in the message.
Decimal parse_decimal(std::string_view text, const char *what);

// amount * factor, rounded to the currency's minor units.
Money scale(const Money &money, const Decimal &factor, RoundingMode mode);

// amount * rate expressed in `target`, rounded to its minor units; the rate must be positive.
Money convert(const Money &money, const Decimal &rate, const Currency &target, RoundingMode mode);

}  // namespace ledger
