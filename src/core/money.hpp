// An exact amount of one currency, counted in its minor units. Every operation either returns
// the exact result or throws: nothing here rounds, wraps, or mixes currencies.
#pragma once

#include <cstdint>

#include "currency.hpp"
#include "minor_units.hpp"

namespace ledger {

struct Money {
    MinorUnits amount;  // in minor units of `currency`
    Currency currency;
};

Money add(const Money &a, const Money &b);
// a + b for amounts already known to share a currency (a running total); throws out_of_range.
MinorUnits add_minor_units(const MinorUnits &a, const MinorUnits &b);
Money subtract(const Money &a, const Money &b);
Money negate(const Money &a);
Money absolute(const Money &a);
Money multiply(const Money &a, std::int64_t factor);

// Orders two amounts of one currency (-1, 0, 1); throws currency_mismatch otherwise, because an
// order between currencies would be silently meaningless.
int compare(const Money &a, const Money &b);
// Equality is defined across currencies: different currencies are never equal.
bool equal(const Money &a, const Money &b);

// A total order over every amount of every currency, for PostgreSQL's btree operator class:
// by currency code (byte order of the kMaxCodeLength NUL-padded code bytes, so that
// "EUR" < "EURX" < "USD"), then minor units, then amount. Returns -1, 0 or 1; 0 exactly when
// equal() is true. Never throws, and agrees with compare() wherever compare() returns.
int compare_total(const Money &a, const Money &b) noexcept;

}  // namespace ledger
