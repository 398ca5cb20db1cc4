// libFuzzer harness for the binary (wire) form of money. Any byte string goes to decode_money; a
// MoneyError is an acceptable answer, any other exception or a crash is a bug. Whatever decodes
// must round-trip: encoding gives back the input bytes (the code upper-cased), and decoding that
// encoding gives the same value. The harness keeps no state between inputs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "binary.hpp"
#include "currency.hpp"
#include "error.hpp"
#include "fuzz_support.hpp"
#include "minor_units.hpp"
#include "money.hpp"

namespace {

using ledger::BigInt;
using ledger::ErrorKind;
using ledger::Money;
using ledger::MoneyError;

using ledger_fuzz::resolve;

char to_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

// The amount the first 16 bytes spell as a big-endian two's-complement integer, read
// independently of the decoder.
BigInt spelled_amount(const std::uint8_t *data) {
    BigInt value = 0;
    for (int i = 0; i < 16; ++i) {
        value = value * 256 + data[i];
    }
    if (data[0] & 0x80) {
        value -= BigInt(1) << 128;
    }
    return value;
}

Money decode(const std::uint8_t *data, std::size_t size) {
    return ledger::decode_money(data, size, resolve);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    Money money;
    try {
        money = decode(data, size);
    } catch (const MoneyError &error) {
        // Only the two kinds the wire format may raise; -2^127 is the only out-of-range value.
        FUZZ_CHECK(error.kind() == ErrorKind::invalid_binary ||
                   error.kind() == ErrorKind::out_of_range);
        // Messages quote input escaped: printable ASCII only, valid in any client encoding.
        for (const char c : std::string(error.what())) {
            FUZZ_CHECK(c >= 0x20 && c < 0x7f);
        }
        if (error.kind() == ErrorKind::out_of_range) {
            FUZZ_CHECK(size >= 16 && spelled_amount(data) == -(BigInt(1) << 127));
        }
        return 0;  // refusing input is the decoder's job
    }
    FUZZ_CHECK(size >= ledger::kBinaryHeaderLength + ledger::kMinCodeLength &&
               size <= ledger::kBinaryHeaderLength + ledger::kMaxCodeLength);
    FUZZ_CHECK(BigInt(money.amount) == spelled_amount(data));
    FUZZ_CHECK(money.currency.minor_units == data[16]);

    // Encoding gives back the input, the code upper-cased.
    const std::string bytes = ledger::encode_money(money);
    FUZZ_CHECK(bytes.size() == size);
    for (std::size_t i = 0; i < size; ++i) {
        const char input = static_cast<char>(data[i]);
        FUZZ_CHECK(bytes[i] == (i < ledger::kBinaryHeaderLength ? input : to_upper(input)));
    }

    // And the encoding decodes to the same value, and encodes to itself.
    const Money again = decode(reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size());
    FUZZ_CHECK(ledger::equal(again, money));
    FUZZ_CHECK(again.currency == money.currency);
    FUZZ_CHECK(ledger::compare_total(again, money) == 0);
    FUZZ_CHECK(ledger::encode_money(again) == bytes);
    return 0;
}
