// The integer that counts minor units. Boost's checked 127-bit signed-magnitude integer has the
// range +-(2^127 - 1): exactly the symmetric part of a two's-complement int128, so every value
// fits the 16 bytes PostgreSQL stores, negation never overflows, and every arithmetic overflow
// throws instead of wrapping.
#pragma once

// First: it routes Boost's own assertions to an exception (see invariant.hpp).
#include "invariant.hpp"

#include <boost/multiprecision/cpp_int.hpp>
#include <climits>
#include <cstdint>

namespace ledger {

using MinorUnits = boost::multiprecision::number<boost::multiprecision::cpp_int_backend<
    127, 127, boost::multiprecision::signed_magnitude, boost::multiprecision::checked, void>>;

// Unbounded integer for intermediate results (scaling, conversion, allocation) whose final value
// is range-checked back into MinorUnits.
using BigInt = boost::multiprecision::cpp_int;

// The largest magnitude a monetary amount may have, in minor units.
inline const MinorUnits &max_minor_units() {
    static const MinorUnits max = (MinorUnits(1) << 126) - 1 + (MinorUnits(1) << 126);
    return max;
}

// Storage form: two's-complement halves, as PostgreSQL keeps them (8-byte aligned, no int128
// loads from datum memory).
struct StoredMinorUnits {
    std::uint64_t low;
    std::int64_t high;
};

// Inline: every operator on a stored value starts and ends here.
inline StoredMinorUnits to_stored(const MinorUnits &value) {
    const auto bits = static_cast<unsigned __int128>(static_cast<__int128>(value));
    return {static_cast<std::uint64_t>(bits), static_cast<std::int64_t>(bits >> 64)};
}

[[noreturn]] void stored_out_of_range();

// Throws out_of_range for the one int128 value outside the range, -2^127.
inline MinorUnits from_stored(const StoredMinorUnits &stored) {
    // -2^127 is the one int128 without a positive twin, so it is outside the range.
    if (stored.high == INT64_MIN && stored.low == 0) {
        stored_out_of_range();
    }
    const auto bits =
        (static_cast<unsigned __int128>(static_cast<std::uint64_t>(stored.high)) << 64) |
        stored.low;
    return MinorUnits(static_cast<__int128>(bits));
}

// Narrows an intermediate result; throws out_of_range naming `what` when it does not fit.
MinorUnits checked_narrow(const BigInt &value, const char *what);

}  // namespace ledger
