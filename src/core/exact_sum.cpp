#include "exact_sum.hpp"

#include "error.hpp"

namespace ledger {

StoredMinorUnits ExactSum::total() const {
    // Fits an int128 when the top 64 bits are the sign extension of bit 127.
    const std::int64_t sign_of_mid = static_cast<std::int64_t>(mid) < 0 ? -1 : 0;
    const bool fits_int128 = high == sign_of_mid;
    // -2^127 fits an int128 but has no positive twin, so it is outside the range too.
    const bool is_int128_min = mid == (std::uint64_t{1} << 63) && low == 0;
    if (!fits_int128 || is_int128_min) {
        throw MoneyError(ErrorKind::out_of_range, "monetary sum is out of range");
    }
    return {low, static_cast<std::int64_t>(mid)};
}

}  // namespace ledger
