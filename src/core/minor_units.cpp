#include "minor_units.hpp"

#include "error.hpp"

#include <climits>

namespace ledger {

StoredMinorUnits to_stored(const MinorUnits &value) {
    const auto wide = static_cast<__int128>(value);
    const auto bits = static_cast<unsigned __int128>(wide);
    return {static_cast<std::uint64_t>(bits), static_cast<std::int64_t>(bits >> 64)};
}

MinorUnits from_stored(const StoredMinorUnits &stored) {
    // -2^127 is the one int128 without a positive twin, so it is outside the range.
    if (stored.high == INT64_MIN && stored.low == 0) {
        throw MoneyError(ErrorKind::out_of_range, "monetary amount is out of range");
    }
    const auto bits =
        (static_cast<unsigned __int128>(static_cast<std::uint64_t>(stored.high)) << 64) |
        stored.low;
    return MinorUnits(static_cast<__int128>(bits));
}

MinorUnits checked_narrow(const BigInt &value, const char *what) {
    if (boost::multiprecision::abs(value) > BigInt(max_minor_units())) {
        throw MoneyError(ErrorKind::out_of_range, std::string(what) + " is out of range",
                         "A monetary amount holds at most 2^127 - 1 minor units.");
    }
    return MinorUnits(value);
}

}  // namespace ledger
