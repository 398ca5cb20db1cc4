#include "monetary_datum.hpp"

#include <cstring>

#include "boundary.hpp"

namespace ledger::pg {

Money to_money(const MonetaryDatum &datum) {
    const MinorUnits amount = from_stored({datum.amount_low, datum.amount_high});
    return Money{amount, Currency{CurrencyCode::from_bytes(datum.code), datum.minor_units}};
}

MonetaryDatum to_datum(const Money &money) {
    const StoredMinorUnits stored = to_stored(money.amount);
    MonetaryDatum datum{};
    datum.amount_low = stored.low;
    datum.amount_high = stored.high;
    std::memcpy(datum.code, money.currency.code.bytes().data(), kMaxCodeLength);
    datum.minor_units = static_cast<std::uint8_t>(money.currency.minor_units);
    return datum;
}

Datum money_datum(const Money &money) {
    const MonetaryDatum value = to_datum(money);
    auto *copy = static_cast<MonetaryDatum *>(
        pg_call([]() noexcept { return palloc(sizeof(MonetaryDatum)); }));
    *copy = value;
    return PointerGetDatum(copy);
}

bool same_currency(const MonetaryDatum &a, const MonetaryDatum &b) {
    return std::memcmp(a.code, b.code, kMaxCodeLength + 1) == 0;
}

Currency currency_named(const char *code) {
    return resolve_currency(code, registered_currencies());
}

}  // namespace ledger::pg
