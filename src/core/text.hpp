// Text form of money: "12.50 USD" or "USD 12.50" in, canonical "12.50 USD" out.
#pragma once

#include <string>
#include <string_view>

#include "money.hpp"

namespace ledger {

// Longer input is refused before any parsing, so hostile text costs nothing.
constexpr std::size_t kMaxMoneyTextLength = 128;

// Throws invalid_text (malformed, unknown currency, too many decimals) or out_of_range.
Money parse_money(std::string_view text, const CurrencyResolver &resolver);

// Whether `token` spells a non-finite number as PostgreSQL's numeric does: NaN, Inf or Infinity,
// in any case, with an optional sign. Text input refuses such an amount, and no currency may be
// registered under such a code (see validate_new_currency).
bool names_non_finite(std::string_view token);

// Canonical text: exactly the currency's minor units, then a space and the code.
std::string format_money(const Money &money);

// The amount alone, with exactly `minor_units` decimals ("-12.50").
std::string format_amount(const MinorUnits &amount, int minor_units);

// An exact decimal ("-12.5000") as minor units of a currency with `minor_units` decimals. Throws
// inexact_amount when a non-zero digit lies beyond them, out_of_range when too large, and
// invalid_parameter for anything but digits with an optional sign and point (NaN, Infinity).
MinorUnits decimal_to_minor_units(std::string_view decimal, int minor_units);

}  // namespace ledger
