#include "monetary_datum.hpp"

#include <cstring>

#include "boundary.hpp"

namespace ledger::pg {

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
