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

int total_order(FunctionCallInfo fcinfo) {
    return compare_total(money_arg(fcinfo, 0), money_arg(fcinfo, 1));
}

// Called through pg_call: PostgreSQL code only, no C++ object alive.
Datum estimate(FunctionCallInfo fcinfo) noexcept {
    const Oid user_operator = PG_GETARG_OID(1);
    Oid left = InvalidOid;
    Oid right = InvalidOid;
    op_input_types(user_operator, &left, &right);
    const char *name = get_opname(user_operator);
    int strategy = 0;
    PGFunction estimator = nullptr;
    if (name == nullptr) {
        return Float8GetDatum(DEFAULT_INEQ_SEL);
    } else if (strcmp(name, "<") == 0) {
        strategy = BTLessStrategyNumber;
        estimator = scalarltsel;
    } else if (strcmp(name, "<=") == 0) {
        strategy = BTLessEqualStrategyNumber;
        estimator = scalarlesel;
    } else if (strcmp(name, ">") == 0) {
        strategy = BTGreaterStrategyNumber;
        estimator = scalargtsel;
    } else if (strcmp(name, ">=") == 0) {
        strategy = BTGreaterEqualStrategyNumber;
        estimator = scalargesel;
    } else {
        return Float8GetDatum(DEFAULT_INEQ_SEL);
    }
    const TypeCacheEntry *type = lookup_type_cache(left, TYPECACHE_BTREE_OPFAMILY);
    const Oid total = OidIsValid(type->btree_opf)
                          ? get_opfamily_member(type->btree_opf, left, right, strategy)
                          : InvalidOid;
    if (!OidIsValid(total) || total == user_operator) {
        // No total-order operator: a default estimate, rather than a raise.
        return Float8GetDatum(DEFAULT_INEQ_SEL);
    }
    return DirectFunctionCall4Coll(estimator, PG_GET_COLLATION(), PG_GETARG_DATUM(0),
                                   ObjectIdGetDatum(total), PG_GETARG_DATUM(2), PG_GETARG_DATUM(3));
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

// btree support of both classes: the total order (code, minor units, amount), which never
// raises, so that ANALYZE, sorts, merge joins and indexes work on columns that mix currencies.
// Within one currency it agrees with <.
LEDGER_FUNCTION(monetary_cmp) {
    return at_boundary([&] { return Int32GetDatum(total_order(fcinfo)); });
}

// The operators of the btree class: ~<~ ~<=~ ~>~ ~>=~.
LEDGER_FUNCTION(monetary_total_lt) {
    return at_boundary([&] { return BoolGetDatum(total_order(fcinfo) < 0); });
}

LEDGER_FUNCTION(monetary_total_le) {
    return at_boundary([&] { return BoolGetDatum(total_order(fcinfo) <= 0); });
}

LEDGER_FUNCTION(monetary_total_gt) {
    return at_boundary([&] { return BoolGetDatum(total_order(fcinfo) > 0); });
}

LEDGER_FUNCTION(monetary_total_ge) {
    return at_boundary([&] { return BoolGetDatum(total_order(fcinfo) >= 0); });
}

// Restriction selectivity of < <= > >=: PostgreSQL's scalar estimate made with the btree
// class's total-order operator of the same direction. PostgreSQL's estimators evaluate the
// operator they are given on the column's statistics; given < itself, planning a query would
// raise LG001 whenever the statistics hold two currencies.
LEDGER_FUNCTION(monetary_inequality_sel) {
    return at_boundary([&] { return pg_call([fcinfo]() noexcept { return estimate(fcinfo); }); });
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
