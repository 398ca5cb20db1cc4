// An exact running total of stored amounts, for sum(): 192-bit two's complement, wide enough
// that 2^63 additions of 127-bit amounts cannot overflow it. Only the final total is checked
// against the range, so the result, or the error, depends on the set of values and never on
// the order in which a (possibly parallel) plan adds them: [max, 1 minor unit, -1 minor unit]
// sums to max in every order.
#pragma once

#include <cstdint>

#include "error.hpp"
#include "minor_units.hpp"

namespace ledger {

struct ExactSum {
    std::uint64_t low = 0;    // bits 0..63
    std::uint64_t mid = 0;    // bits 64..127
    std::int64_t high = 0;    // bits 128..191, with the sign
    std::uint64_t count = 0;  // additions so far, bounding the total's magnitude

    static ExactSum of(const StoredMinorUnits &value) {
        ExactSum sum;
        sum.add(value);
        return sum;
    }

    // total += value; exact, cannot overflow while count < 2^63.
    void add(const StoredMinorUnits &value) {
        add_limbs(value.low, static_cast<std::uint64_t>(value.high), value.high < 0 ? -1 : 0);
        count += 1;
        check_count();
    }

    // total += other's total, for combining parallel partial sums.
    void add(const ExactSum &other) {
        add_limbs(other.low, other.mid, other.high);
        count += other.count;
        check_count();
    }

    // The total as a stored amount; throws out_of_range when beyond +-(2^127 - 1).
    StoredMinorUnits total() const;

  private:
    static constexpr std::uint64_t kMaxCount = std::uint64_t{1} << 63;

    void check_count() const {
        if (count >= kMaxCount) {
            throw MoneyError(ErrorKind::out_of_range, "monetary sum has too many values");
        }
    }

    void add_limbs(std::uint64_t low_bits, std::uint64_t mid_bits, std::int64_t high_bits) {
        unsigned __int128 low_part = static_cast<unsigned __int128>(low) + low_bits;
        low = static_cast<std::uint64_t>(low_part);
        unsigned __int128 mid_part = static_cast<unsigned __int128>(mid) + mid_bits +
                                     static_cast<std::uint64_t>(low_part >> 64);
        mid = static_cast<std::uint64_t>(mid_part);
        // Wraps only past 2^191, which 2^63 additions of 2^127 cannot reach.
        high = static_cast<std::int64_t>(static_cast<std::uint64_t>(high) +
                                         static_cast<std::uint64_t>(high_bits) +
                                         static_cast<std::uint64_t>(mid_part >> 64));
    }
};

}  // namespace ledger
