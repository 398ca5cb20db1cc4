// Text and binary input and output of ledger.monetary.
#include <cstring>
#include <string>

#include "../core/error.hpp"
#include "../core/text.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"

using namespace ledger;
using namespace ledger::pg;

namespace {

char *palloc_string(const std::string &text) {
    return pg_call([&text]() noexcept { return pnstrdup(text.data(), text.size()); });
}

[[noreturn]] void invalid_binary(const std::string &why) {
    throw MoneyError(ErrorKind::invalid_binary, "invalid binary monetary value: " + why);
}

}  // namespace

LEDGER_FUNCTION(monetary_in) {
    return at_boundary([&] {
        const char *text = PG_GETARG_CSTRING(0);
        return money_datum(parse_money(text, registered_currencies()));
    });
}

LEDGER_FUNCTION(monetary_out) {
    return at_boundary([&] {
        return CStringGetDatum(palloc_string(format_money(to_money(*monetary_arg(fcinfo, 0)))));
    });
}

// Wire format: the amount in minor units as a 16-byte big-endian two's-complement integer (high
// half first), one byte of minor units, then the currency code's ASCII bytes.
LEDGER_FUNCTION(monetary_send) {
    return at_boundary([&] {
        const MonetaryDatum &value = *monetary_arg(fcinfo, 0);
        const std::string code(to_money(value).currency.code.view());
        return pg_call([&value, &code]() noexcept {
            StringInfoData buffer;
            pq_begintypsend(&buffer);
            pq_sendint64(&buffer, static_cast<uint64>(value.amount_high));
            pq_sendint64(&buffer, value.amount_low);
            pq_sendbyte(&buffer, value.minor_units);
            pq_sendbytes(&buffer, code.data(), static_cast<int>(code.size()));
            return PointerGetDatum(pq_endtypsend(&buffer));
        });
    });
}

LEDGER_FUNCTION(monetary_recv) {
    return at_boundary([&] {
        StringInfo message = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
        const int code_length = message->len - message->cursor - 17;
        if (code_length < static_cast<int>(kMinCodeLength) ||
            code_length > static_cast<int>(kMaxCodeLength)) {
            invalid_binary("expected 17 bytes and a 3 to 7 byte currency code, got " +
                           std::to_string(message->len - message->cursor) + " bytes");
        }
        StoredMinorUnits stored{};
        int minor_units = 0;
        char code[kMaxCodeLength + 1] = {};
        pg_call([&]() noexcept {
            stored.high = static_cast<int64_t>(pq_getmsgint64(message));
            stored.low = static_cast<uint64_t>(pq_getmsgint64(message));
            minor_units = pq_getmsgbyte(message);
            pq_copymsgbytes(message, code, code_length);
        });
        const std::optional<CurrencyCode> parsed = CurrencyCode::parse(code);
        if (!parsed || std::strlen(code) != static_cast<std::size_t>(code_length)) {
            invalid_binary("\"" + std::string(code) + "\" is not a currency code");
        }
        const std::optional<Currency> currency = find_currency(*parsed, registered_currencies());
        if (!currency) {
            invalid_binary("unknown currency \"" + std::string(parsed->view()) + "\"");
        }
        if (currency->minor_units != minor_units) {
            invalid_binary(std::string(parsed->view()) + " has " +
                           std::to_string(currency->minor_units) + " minor units, not " +
                           std::to_string(minor_units));
        }
        return money_datum(Money{from_stored(stored), *currency});
    });
}
