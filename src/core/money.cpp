#include "money.hpp"

#include <cstring>

#include "error.hpp"
#include "invariant.hpp"

namespace ledger {
namespace {

// Boost throws std::overflow_error; the caller learns which operation overflowed.
template <typename Op>
MinorUnits checked(const char *operation, Op op) {
    try {
        return op();
    } catch (const std::overflow_error &) {
        throw MoneyError(ErrorKind::out_of_range,
                         std::string("monetary ") + operation + " is out of range",
                         "A monetary amount holds at most 2^127 - 1 minor units.");
    }
}

}  // namespace

Money add(const Money &a, const Money &b) {
    require_same_currency(a.currency, b.currency, "add");
    Money sum{checked("addition", [&] { return MinorUnits(a.amount + b.amount); }), a.currency};
    LEDGER_INVARIANT(sum.amount - b.amount == a.amount);
    return sum;
}

MinorUnits add_minor_units(const MinorUnits &a, const MinorUnits &b) {
    return checked("addition", [&] { return MinorUnits(a + b); });
}

Money subtract(const Money &a, const Money &b) {
    require_same_currency(a.currency, b.currency, "subtract");
    Money difference{checked("subtraction", [&] { return MinorUnits(a.amount - b.amount); }),
                     a.currency};
    LEDGER_INVARIANT(difference.amount + b.amount == a.amount);
    return difference;
}

Money negate(const Money &a) {
    return Money{-a.amount, a.currency};
}

Money absolute(const Money &a) {
    return Money{boost::multiprecision::abs(a.amount), a.currency};
}

Money multiply(const Money &a, std::int64_t factor) {
    Money product{checked("multiplication", [&] { return MinorUnits(a.amount * factor); }),
                  a.currency};
    LEDGER_INVARIANT(factor == 0 || product.amount / factor == a.amount);
    return product;
}

int compare(const Money &a, const Money &b) {
    require_same_currency(a.currency, b.currency, "compare");
    return a.amount < b.amount ? -1 : (a.amount > b.amount ? 1 : 0);
}

bool equal(const Money &a, const Money &b) {
    return a.currency == b.currency && a.amount == b.amount;
}

int compare_total(const Money &a, const Money &b) noexcept {
    // memcmp compares as unsigned bytes; the NUL padding sorts a code before its extensions.
    const int codes =
        std::memcmp(a.currency.code.bytes().data(), b.currency.code.bytes().data(), kMaxCodeLength);
    if (codes != 0) {
        return codes < 0 ? -1 : 1;
    }
    if (a.currency.minor_units != b.currency.minor_units) {
        return a.currency.minor_units < b.currency.minor_units ? -1 : 1;
    }
    // Fixed-width integers: comparing allocates nothing and cannot throw.
    const int amounts = a.amount.compare(b.amount);
    return amounts < 0 ? -1 : (amounts > 0 ? 1 : 0);
}

}  // namespace ledger
