#include "binary.hpp"

#include <cstdint>
#include <cstring>
#include <optional>

#include "error.hpp"
#include "minor_units.hpp"

namespace ledger {
namespace {

[[noreturn]] void invalid_binary(const std::string &why) {
    throw MoneyError(ErrorKind::invalid_binary, "invalid binary monetary value: " + why);
}

// The code's bytes for a message: printable ASCII as is, anything else as \xhh, so that an
// error about arbitrary wire bytes is itself valid text in every client encoding.
std::string escaped(const unsigned char *bytes, std::size_t length) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < length; ++i) {
        const unsigned char c = bytes[i];
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
            out.push_back(static_cast<char>(c));
        } else {
            out += "\\x";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    return out;
}

std::uint64_t read_big_endian_64(const unsigned char *bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) {
        value = (value << 8) | bytes[i];
    }
    return value;
}

void append_big_endian_64(std::string &out, std::uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>(static_cast<unsigned char>(value >> shift)));
    }
}

}  // namespace

Money decode_money(const unsigned char *bytes, std::size_t length,
                   const CurrencyResolver &resolver) {
    if (length < kBinaryHeaderLength + kMinCodeLength ||
        length > kBinaryHeaderLength + kMaxCodeLength) {
        invalid_binary("expected 17 bytes and a 3 to 7 byte currency code, got " +
                       std::to_string(length) + " bytes");
    }
    const std::size_t code_length = length - kBinaryHeaderLength;
    const StoredMinorUnits stored{read_big_endian_64(bytes + 8),
                                  static_cast<std::int64_t>(read_big_endian_64(bytes))};
    const int minor_units = bytes[16];
    // NUL terminated, so that a NUL inside the code ends it early and is refused below.
    char code[kMaxCodeLength + 1] = {};
    std::memcpy(code, bytes + kBinaryHeaderLength, code_length);

    const std::optional<CurrencyCode> parsed = CurrencyCode::parse(code);
    if (!parsed || std::strlen(code) != code_length) {
        invalid_binary("\"" + escaped(bytes + kBinaryHeaderLength, code_length) +
                       "\" is not a currency code");
    }
    const std::optional<Currency> currency = find_currency(*parsed, resolver);
    if (!currency) {
        invalid_binary("unknown currency \"" + std::string(parsed->view()) + "\"");
    }
    if (currency->minor_units != minor_units) {
        invalid_binary(std::string(parsed->view()) + " has " +
                       std::to_string(currency->minor_units) + " minor units, not " +
                       std::to_string(minor_units));
    }
    return Money{from_stored(stored), *currency};
}

std::string encode_money(const Money &money) {
    const StoredMinorUnits stored = to_stored(money.amount);
    const std::string_view code = money.currency.code.view();
    std::string out;
    out.reserve(kBinaryHeaderLength + code.size());
    append_big_endian_64(out, static_cast<std::uint64_t>(stored.high));
    append_big_endian_64(out, stored.low);
    out.push_back(static_cast<char>(static_cast<unsigned char>(money.currency.minor_units)));
    out.append(code.data(), code.size());
    return out;
}

}  // namespace ledger
