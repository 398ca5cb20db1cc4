// The integer that counts minor units. Boost's checked 127-bit signed-magnitude integer has the
// range +-(2^127 - 1): exactly the symmetric part of a two's-complement int128, so every value
// fits the 16 bytes PostgreSQL stores, negation never overflows, and every arithmetic overflow
// throws instead of wrapping.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
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

StoredMinorUnits to_stored(const MinorUnits &value);
// Throws out_of_range for the one int128 value outside the range, -2^127.
MinorUnits from_stored(const StoredMinorUnits &stored);

// Narrows an intermediate result; throws out_of_range naming `what` when it does not fit.
MinorUnits checked_narrow(const BigInt &value, const char *what);

}  // namespace ledger
