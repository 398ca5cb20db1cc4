// Explicit rounding: the only way an amount loses precision is through one of these modes,
// named by the caller.
#pragma once

#include <cstddef>
#include <functional>
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

// Lets a caller cancel work that grows with the length of its input: called now and then while
// the work goes on, it may throw, and its exception propagates unchanged (the PostgreSQL layer
// checks for a query cancel there). An empty poll is never called.
using InterruptPoll = std::function<void()>;

// parse_decimal calls its poll each time it has combined this many more digits, counted over
// every level of its pairwise conversion: about 300 times over the few milliseconds that the
// longest numeric takes, never for a factor of a few hundred digits.
constexpr std::size_t kDigitsPerPoll = 4096;

// Parses "-12.345" (as PostgreSQL prints numeric); throws invalid_parameter for NaN, Infinity
// or anything else. `what` names the argument in the message. Any numeric PostgreSQL can hold
// (131072 digits before the point, 16383 after) takes milliseconds, with `poll` called between
// steps; longer text is refused.
Decimal parse_decimal(std::string_view text, const char *what, const InterruptPoll &poll = {});

// amount * factor, rounded to the currency's minor units.
Money scale(const Money &money, const Decimal &factor, RoundingMode mode);

// amount * rate expressed in `target`, rounded to its minor units; the rate must be positive.
Money convert(const Money &money, const Decimal &rate, const Currency &target, RoundingMode mode);

}  // namespace ledger
