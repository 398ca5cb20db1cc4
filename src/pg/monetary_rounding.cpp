// The functions through which an amount may change scale: scaling, currency conversion and
// allocation. Each takes an explicit rounding mode or keeps every minor unit.
#include <vector>

#include "../core/allocation.hpp"
#include "../core/rounding.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"
#include "postgres_arguments.hpp"
#include "spi.hpp"
#include "spi.hpp"

using namespace ledger;
using namespace ledger::pg;

namespace {

Datum money_array(const std::vector<Money> &parts) {
    std::vector<Datum> elements;
    elements.reserve(parts.size());
    for (const Money &part : parts) {
        elements.push_back(money_datum(part));
    }
    const Oid element_type = monetary_type_oid();
    Datum *data = elements.data();
    const int count = static_cast<int>(elements.size());
    return pg_call([data, count, element_type]() noexcept {
        return PointerGetDatum(construct_array(data, count, element_type, sizeof(MonetaryDatum),
                                               false, TYPALIGN_DOUBLE));
    });
}

// The poll through which a long factor can be cancelled: a pending query cancel or statement
// timeout raises its PostgreSQL error inside pg_call, which carries it out as a C++ exception, so
// the parse unwinds with its destructors run and at_boundary re-raises the error unchanged.
void check_for_interrupts() {
    pg_call([]() noexcept { CHECK_FOR_INTERRUPTS(); });
}

}  // namespace

// ledger.scale(monetary, factor numeric, ledger.rounding_mode)
LEDGER_FUNCTION(monetary_scale) {
    return at_boundary([&] {
        const Money money = to_money(*monetary_arg(fcinfo, 0));
        const Decimal factor =
            parse_decimal(numeric_arg_text(fcinfo, 1), "scale factor", check_for_interrupts);
        const RoundingMode mode = parse_rounding_mode(enum_arg_label(fcinfo, 2));
        return money_datum(scale(money, factor, mode));
    });
}

// ledger.convert(monetary, rate numeric, currency text, ledger.rounding_mode)
LEDGER_FUNCTION(monetary_convert) {
    return at_boundary([&] {
        const Money money = to_money(*monetary_arg(fcinfo, 0));
        const Decimal rate =
            parse_decimal(numeric_arg_text(fcinfo, 1), "exchange rate", check_for_interrupts);
        const Currency target = currency_named(text_arg(fcinfo, 2).c_str());
        const RoundingMode mode = parse_rounding_mode(enum_arg_label(fcinfo, 3));
        return money_datum(convert(money, rate, target, mode));
    });
}

// ledger.allocate(monetary, parts int) returns monetary[]
LEDGER_FUNCTION(monetary_allocate_evenly) {
    return at_boundary([&] {
        const Money money = to_money(*monetary_arg(fcinfo, 0));
        return money_array(allocate_evenly(money, PG_GETARG_INT32(1)));
    });
}

// ledger.allocate(monetary, ratios int[]) returns monetary[]
LEDGER_FUNCTION(monetary_allocate_by_ratios) {
    return at_boundary([&] {
        const Money money = to_money(*monetary_arg(fcinfo, 0));
        return money_array(allocate_by_ratios(money, int4_array_arg(fcinfo, 1)));
    });
}
