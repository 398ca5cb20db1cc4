#include "minor_units.hpp"

#include "error.hpp"

namespace ledger {

void stored_out_of_range() {
    throw MoneyError(ErrorKind::out_of_range, "monetary amount is out of range");
}

MinorUnits checked_narrow(const BigInt &value, const char *what) {
    if (boost::multiprecision::abs(value) > BigInt(max_minor_units())) {
        throw MoneyError(ErrorKind::out_of_range, std::string(what) + " is out of range",
                         "A monetary amount holds at most 2^127 - 1 minor units.");
    }
    return MinorUnits(value);
}

}  // namespace ledger
