// ledger.monetary meets numeric and text: constructor, accessors, and the ratio of two amounts.
#include <string>

#include "../core/error.hpp"
#include "../core/text.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"
#include "postgres_arguments.hpp"

using namespace ledger;
using namespace ledger::pg;

namespace {

Datum numeric_from_text(const std::string &decimal) {
    return pg_call([&decimal]() noexcept {
        return DirectFunctionCall3(numeric_in, CStringGetDatum(decimal.c_str()),
                                   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
    });
}

}  // namespace

// ledger.monetary(amount numeric, currency text): exact, or an error.
LEDGER_FUNCTION(monetary_from_numeric) {
    return at_boundary([&] {
        const std::string amount = numeric_arg_text(fcinfo, 0);
        const Currency currency = currency_named(text_arg(fcinfo, 1).c_str());
        return money_datum(Money{decimal_to_minor_units(amount, currency.minor_units), currency});
    });
}

// ledger.amount(monetary) returns numeric, in whole units with the currency's decimals.
LEDGER_FUNCTION(monetary_amount) {
    return at_boundary([&] {
        const Money money = to_money(*monetary_arg(fcinfo, 0));
        return numeric_from_text(format_amount(money.amount, money.currency.minor_units));
    });
}

// ledger.currency(monetary) returns text.
LEDGER_FUNCTION(monetary_currency) {
    return at_boundary([&] {
        const std::string code(to_money(*monetary_arg(fcinfo, 0)).currency.code.view());
        return pg_call([&code]() noexcept { return CStringGetTextDatum(code.c_str()); });
    });
}

// monetary / monetary returns numeric: a ratio of two amounts of one currency.
LEDGER_FUNCTION(monetary_ratio) {
    return at_boundary([&] {
        const Money dividend = to_money(*monetary_arg(fcinfo, 0));
        const Money divisor = to_money(*monetary_arg(fcinfo, 1));
        require_same_currency(dividend.currency, divisor.currency, "divide");
        // Minor units of one currency share a scale, so their ratio is the amounts' ratio. A zero
        // divisor is left to numeric_div, whose error passes the boundary unchanged.
        const Datum top = numeric_from_text(format_amount(dividend.amount, 0));
        const Datum bottom = numeric_from_text(format_amount(divisor.amount, 0));
        return pg_call(
            [top, bottom]() noexcept { return DirectFunctionCall2(numeric_div, top, bottom); });
    });
}
