// The stored form of ledger.monetary and its conversion to the core's Money.
#pragma once

#include <cstdint>
#include <cstring>

#include "../core/money.hpp"
#include "postgres_headers.hpp"

namespace ledger::pg {

// 24 bytes, 8-byte aligned (typalign double), no padding: equal values are equal bytes, which
// the hash and equality functions rely on. The amount is stored as two 64-bit halves so that no
// 16-byte-aligned load ever touches datum memory.
struct MonetaryDatum {
    std::uint64_t amount_low;
    std::int64_t amount_high;
    char code[kMaxCodeLength];  // upper case, NUL padded
    std::uint8_t minor_units;
};
static_assert(sizeof(MonetaryDatum) == 24, "ledger.monetary is 24 bytes");
static_assert(alignof(MonetaryDatum) == 8, "ledger.monetary needs only 8-byte alignment");

inline const MonetaryDatum *monetary_arg(FunctionCallInfo fcinfo, int n) {
    return reinterpret_cast<const MonetaryDatum *>(DatumGetPointer(PG_GETARG_DATUM(n)));
}

inline Money to_money(const MonetaryDatum &datum) {
    return Money{from_stored({datum.amount_low, datum.amount_high}),
                 Currency{CurrencyCode::from_bytes(datum.code), datum.minor_units}};
}

inline MonetaryDatum to_datum(const Money &money) {
    const StoredMinorUnits stored = to_stored(money.amount);
    MonetaryDatum datum{};
    datum.amount_low = stored.low;
    datum.amount_high = stored.high;
    std::memcpy(datum.code, money.currency.code.bytes().data(), kMaxCodeLength);
    datum.minor_units = static_cast<std::uint8_t>(money.currency.minor_units);
    return datum;
}
// A palloc'd copy of `money` as a Datum.
Datum money_datum(const Money &money);

// Whether two stored values share a currency: one comparison of code and minor units.
bool same_currency(const MonetaryDatum &a, const MonetaryDatum &b);

// The currency behind a code the caller typed: built in, or registered in
// ledger.custom_currencies. Throws unknown_currency.
Currency currency_named(const char *code);
// The resolver that finds registered currencies, for the core's parser.
const CurrencyResolver &registered_currencies();

}  // namespace ledger::pg
