// Text and binary input and output of ledger.monetary.
#include <cstddef>
#include <string>

#include "../core/binary.hpp"
#include "../core/text.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"

using namespace ledger;
using namespace ledger::pg;

namespace {

char *palloc_string(const std::string &text) {
    return pg_call([&text]() noexcept { return pnstrdup(text.data(), text.size()); });
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

// Wire format (src/core/binary.hpp): the amount in minor units as a 16-byte big-endian
// two's-complement integer (high half first), one byte of minor units, then the currency code's
// ASCII bytes.
LEDGER_FUNCTION(monetary_send) {
    return at_boundary([&] {
        const std::string bytes = encode_money(to_money(*monetary_arg(fcinfo, 0)));
        return pg_call([&bytes]() noexcept {
            StringInfoData buffer;
            pq_begintypsend(&buffer);
            pq_sendbytes(&buffer, bytes.data(), static_cast<int>(bytes.size()));
            return PointerGetDatum(pq_endtypsend(&buffer));
        });
    });
}

LEDGER_FUNCTION(monetary_recv) {
    return at_boundary([&] {
        StringInfo message = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
        int length = 0;
        // The whole rest of the message: a value must consume it all.
        const char *bytes = pg_call([message, &length]() noexcept {
            length = message->len - message->cursor;
            return pq_getmsgbytes(message, length);
        });
        return money_datum(decode_money(reinterpret_cast<const unsigned char *>(bytes),
                                        static_cast<std::size_t>(length), registered_currencies()));
    });
}
