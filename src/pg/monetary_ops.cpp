// Operators of ledger.monetary: arithmetic, comparison, hashing, and the min/max helpers.
#include <cstring>

#include "../core/money.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"

using namespace ledger;
using namespace ledger::pg;

namespace {

Money money_arg(FunctionCallInfo fcinfo, int n) {
    return to_money(*monetary_arg(fcinfo, n));
}

int compare_args(FunctionCallInfo fcinfo) {
    return compare(money_arg(fcinfo, 0), money_arg(fcinfo, 1));
}

// Equal values are equal bytes (see MonetaryDatum), so equality needs no decoding.
bool bytes_equal(FunctionCallInfo fcinfo) {
    return std::memcmp(monetary_arg(fcinfo, 0), monetary_arg(fcinfo, 1), sizeof(MonetaryDatum)) ==
           0;
}

}  // namespace

LEDGER_FUNCTION(monetary_add) {
    return at_boundary(
        [&] { return money_datum(add(money_arg(fcinfo, 0), money_arg(fcinfo, 1))); });
}

LEDGER_FUNCTION(monetary_subtract) {
    return at_boundary(
        [&] { return money_datum(subtract(money_arg(fcinfo, 0), money_arg(fcinfo, 1))); });
}

LEDGER_FUNCTION(monetary_negate) {
    return at_boundary([&] { return money_datum(negate(money_arg(fcinfo, 0))); });
}

LEDGER_FUNCTION(monetary_abs) {
    return at_boundary([&] { return money_datum(absolute(money_arg(fcinfo, 0))); });
}

LEDGER_FUNCTION(monetary_multiply) {
    return at_boundary(
        [&] { return money_datum(multiply(money_arg(fcinfo, 0), PG_GETARG_INT64(1))); });
}

LEDGER_FUNCTION(monetary_multiply_reversed) {
    return at_boundary(
        [&] { return money_datum(multiply(money_arg(fcinfo, 1), PG_GETARG_INT64(0))); });
}

LEDGER_FUNCTION(monetary_eq) {
    return at_boundary([&] { return BoolGetDatum(bytes_equal(fcinfo)); });
}

LEDGER_FUNCTION(monetary_ne) {
    return at_boundary([&] { return BoolGetDatum(!bytes_equal(fcinfo)); });
}

LEDGER_FUNCTION(monetary_lt) {
    return at_boundary([&] { return BoolGetDatum(compare_args(fcinfo) < 0); });
}

LEDGER_FUNCTION(monetary_le) {
    return at_boundary([&] { return BoolGetDatum(compare_args(fcinfo) <= 0); });
}

LEDGER_FUNCTION(monetary_gt) {
    return at_boundary([&] { return BoolGetDatum(compare_args(fcinfo) > 0); });
}

LEDGER_FUNCTION(monetary_ge) {
    return at_boundary([&] { return BoolGetDatum(compare_args(fcinfo) >= 0); });
}

// btree support: raises on two currencies, like <, so that no index or sort orders USD
// against EUR.
LEDGER_FUNCTION(monetary_cmp) {
    return at_boundary([&] { return Int32GetDatum(compare_args(fcinfo)); });
}

LEDGER_FUNCTION(monetary_smaller) {
    return at_boundary([&] { return PG_GETARG_DATUM(compare_args(fcinfo) <= 0 ? 0 : 1); });
}

LEDGER_FUNCTION(monetary_larger) {
    return at_boundary([&] { return PG_GETARG_DATUM(compare_args(fcinfo) >= 0 ? 0 : 1); });
}

LEDGER_FUNCTION(monetary_hash) {
    return at_boundary([&] {
        const auto *bytes = reinterpret_cast<const unsigned char *>(monetary_arg(fcinfo, 0));
        return hash_any(bytes, sizeof(MonetaryDatum));
    });
}

LEDGER_FUNCTION(monetary_hash_extended) {
    return at_boundary([&] {
        const auto *bytes = reinterpret_cast<const unsigned char *>(monetary_arg(fcinfo, 0));
        return hash_any_extended(bytes, sizeof(MonetaryDatum), PG_GETARG_INT64(1));
    });
}
