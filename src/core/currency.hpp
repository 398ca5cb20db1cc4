// Currencies: a code and the number of minor units (decimals) an amount in it has. The ISO 4217
// table is built in; other codes (crypto, points) are registered by users and resolved by the
// caller through a CurrencyResolver, so the core needs no storage of its own.
#pragma once

#include <array>
#include <cstring>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ledger {

constexpr std::size_t kMaxCodeLength = 7;  // fits the 7 bytes a stored value reserves
constexpr std::size_t kMinCodeLength = 3;
constexpr int kMaxCurrencyMinorUnits = 18;  // ETH needs 18; 10^18 still leaves 10^20 whole units

// An upper-case currency code, NUL padded to kMaxCodeLength bytes, so that two codes compare as
// one 8-byte block together with the minor units.
class CurrencyCode {
  public:
    CurrencyCode() = default;
    // Accepts 3 to 7 letters or digits, the first a letter, in any case; nullopt otherwise.
    static std::optional<CurrencyCode> parse(std::string_view text);
    static CurrencyCode from_bytes(const char (&bytes)[kMaxCodeLength]) {
        CurrencyCode code;
        std::memcpy(code.bytes_.data(), bytes, kMaxCodeLength);
        return code;
    }

    std::string_view view() const;
    const std::array<char, kMaxCodeLength> &bytes() const { return bytes_; }
    bool operator==(const CurrencyCode &other) const { return bytes_ == other.bytes_; }
    bool operator!=(const CurrencyCode &other) const { return bytes_ != other.bytes_; }

  private:
    std::array<char, kMaxCodeLength> bytes_{};
};

struct Currency {
    CurrencyCode code;
    int minor_units = 0;

    bool operator==(const Currency &other) const {
        return code == other.code && minor_units == other.minor_units;
    }
    bool operator!=(const Currency &other) const { return !(*this == other); }
};

struct IsoCurrency {
    const char *code;
    int numeric_code;
    int minor_units;
    bool is_fund;
    const char *name;
};

// Every ISO 4217 currency with defined minor units, sorted by code.
const IsoCurrency *iso_currencies_begin();
const IsoCurrency *iso_currencies_end();
const IsoCurrency *find_iso_currency(const CurrencyCode &code);

// The lookup table behind find_iso_currency: one slot for each three-letter code.
constexpr int kIsoLetters = 26;
using IsoIndex = std::array<const IsoCurrency *, kIsoLetters * kIsoLetters * kIsoLetters>;
// Builds it from a table of entries; throws MoneyError(internal) when a code is not three
// upper-case letters or appears twice, which would be a bug in the generated table.
IsoIndex build_iso_index(const IsoCurrency *begin, const IsoCurrency *end);

// Looks up a code that is not built in; nullopt when unknown. Provided by the caller.
using CurrencyResolver = std::function<std::optional<int>(const CurrencyCode &)>;

// Built-in table first, then the resolver; throws unknown_currency naming the code.
Currency resolve_currency(std::string_view code_text, const CurrencyResolver &resolver);
// The same for an already parsed code; nullopt when unknown.
std::optional<Currency> find_currency(const CurrencyCode &code, const CurrencyResolver &resolver);

// Validates a new user currency; throws invalid_parameter (a malformed code, minor units outside
// 0..18, or a code that spells a non-finite number: NAN, INF) or duplicate_currency (ISO codes).
// Every code it accepts reads back from the text that format_money writes, in both word orders
// and any case.
Currency validate_new_currency(std::string_view code_text, int minor_units);

// Throws currency_mismatch unless a and b are the same currency: the same code and the same
// minor units, since raw minor units of two scales never combine. The message is "cannot
// <operation> USD and EUR", or "cannot <operation> TMQ (2 decimals) and TMQ (8 decimals)" when
// only the minor units differ.
void require_same_currency(const Currency &a, const Currency &b, const char *operation);

// `currency` as a message names it beside `other`: its code, followed by its minor units
// ("TMQ (2 decimals)") when `other` has the same code with other minor units.
std::string currency_name_beside(const Currency &currency, const Currency &other);

}  // namespace ledger
