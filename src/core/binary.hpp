// Binary (wire) form of money, as ledger.monetary's send and receive functions exchange it: the
// amount in minor units as a 16-byte big-endian two's-complement integer (high half first), one
// byte of minor units, then the currency code's 3 to 7 ASCII bytes.
#pragma once

#include <cstddef>
#include <string>

#include "currency.hpp"
#include "money.hpp"

namespace ledger {

// Bytes before the currency code: the 16-byte amount and the byte of minor units.
constexpr std::size_t kBinaryHeaderLength = 17;

// Decodes exactly `length` bytes. Throws invalid_binary for a wrong length, a malformed or
// unknown code, or minor units other than the currency's; out_of_range for -2^127. The code may
// be in any case; the result's code is upper case.
Money decode_money(const unsigned char *bytes, std::size_t length,
                   const CurrencyResolver &resolver);

// The canonical wire form of `money`, which decode_money reads back to the same value.
std::string encode_money(const Money &money);

}  // namespace ledger
