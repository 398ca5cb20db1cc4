#include "currency.hpp"

#include <cstring>

#include "error.hpp"
#include "invariant.hpp"
#include "text.hpp"

namespace ledger {
namespace {

const IsoCurrency kIsoCurrencies[] = {
#include "iso4217_table.inc"
};

bool is_ascii_letter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_ascii_digit(char c) {
    return c >= '0' && c <= '9';
}
char to_upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

}  // namespace

std::optional<CurrencyCode> CurrencyCode::parse(std::string_view text) {
    if (text.size() < kMinCodeLength || text.size() > kMaxCodeLength || !is_ascii_letter(text[0])) {
        return std::nullopt;
    }
    CurrencyCode code;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_ascii_letter(text[i]) && !is_ascii_digit(text[i])) {
            return std::nullopt;
        }
        code.bytes_[i] = to_upper(text[i]);
    }
    return code;
}

std::string_view CurrencyCode::view() const {
    return std::string_view(bytes_.data(), strnlen(bytes_.data(), kMaxCodeLength));
}

const IsoCurrency *iso_currencies_begin() {
    return std::begin(kIsoCurrencies);
}
const IsoCurrency *iso_currencies_end() {
    return std::end(kIsoCurrencies);
}

namespace {

// Every ISO code is three upper-case letters, so a 26^3 table answers a lookup in one step; text
// input does one per value.
int three_letter_index(std::string_view code) {
    if (code.size() != 3) {
        return -1;
    }
    int index = 0;
    for (const char c : code) {
        if (c < 'A' || c > 'Z') {
            return -1;
        }
        index = index * kIsoLetters + (c - 'A');
    }
    return index;
}

// Built on first use. A throw here (a bug in the generated table) leaves the index unbuilt, and
// the next lookup tries again: a function-local static, never a namespace-scope initializer,
// where an exception would terminate the process.
const IsoIndex &iso_index() {
    static const IsoIndex index = build_iso_index(iso_currencies_begin(), iso_currencies_end());
    return index;
}

}  // namespace

IsoIndex build_iso_index(const IsoCurrency *begin, const IsoCurrency *end) {
    IsoIndex index{};
    for (const IsoCurrency *c = begin; c != end; ++c) {
        const int slot = three_letter_index(c->code);
        LEDGER_INVARIANT(slot >= 0);               // three upper-case letters
        LEDGER_INVARIANT(index[slot] == nullptr);  // each code once
        index[slot] = c;
    }
    return index;
}

const IsoCurrency *find_iso_currency(const CurrencyCode &code) {
    const int slot = three_letter_index(code.view());
    return slot < 0 ? nullptr : iso_index()[slot];
}

std::optional<Currency> find_currency(const CurrencyCode &code, const CurrencyResolver &resolver) {
    if (const IsoCurrency *iso = find_iso_currency(code)) {
        return Currency{code, iso->minor_units};
    }
    if (resolver) {
        if (std::optional<int> minor_units = resolver(code)) {
            return Currency{code, *minor_units};
        }
    }
    return std::nullopt;
}

Currency resolve_currency(std::string_view code_text, const CurrencyResolver &resolver) {
    const std::optional<CurrencyCode> code = CurrencyCode::parse(code_text);
    if (!code) {
        throw MoneyError(ErrorKind::unknown_currency,
                         "\"" + std::string(code_text) + "\" is not a currency code",
                         "A currency code is 3 to 7 letters or digits, starting with a letter.");
    }
    if (std::optional<Currency> currency = find_currency(*code, resolver)) {
        return *currency;
    }
    throw MoneyError(ErrorKind::unknown_currency,
                     "unknown currency \"" + std::string(code->view()) + "\"",
                     "Register it with ledger.create_currency(code, minor_units).");
}

Currency validate_new_currency(std::string_view code_text, int minor_units) {
    const std::optional<CurrencyCode> code = CurrencyCode::parse(code_text);
    if (!code) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         "\"" + std::string(code_text) + "\" is not a valid currency code",
                         "A currency code is 3 to 7 letters or digits, starting with a letter.");
    }
    if (names_non_finite(code->view())) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         "currency code \"" + std::string(code->view()) +
                             "\" is reserved: it spells a non-finite number, which text input "
                             "would not read back unambiguously",
                         "Choose another code; NAN and INF are reserved.");
    }
    if (minor_units < 0 || minor_units > kMaxCurrencyMinorUnits) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         "minor units of " + std::string(code->view()) + " must be between 0 and " +
                             std::to_string(kMaxCurrencyMinorUnits) + ", not " +
                             std::to_string(minor_units));
    }
    if (find_iso_currency(*code) != nullptr) {
        throw MoneyError(ErrorKind::duplicate_currency,
                         "currency \"" + std::string(code->view()) + "\" is built in (ISO 4217)");
    }
    return Currency{*code, minor_units};
}

std::string currency_name_beside(const Currency &currency, const Currency &other) {
    std::string name(currency.code.view());
    if (currency.code == other.code && currency.minor_units != other.minor_units) {
        name += " (" + std::to_string(currency.minor_units) +
                (currency.minor_units == 1 ? " decimal)" : " decimals)");
    }
    return name;
}

void require_same_currency(const Currency &a, const Currency &b, const char *operation) {
    if (a != b) {
        throw MoneyError(ErrorKind::currency_mismatch,
                         std::string("cannot ") + operation + " " + currency_name_beside(a, b) +
                             " and " + currency_name_beside(b, a),
                         "Convert one amount explicitly with ledger.convert().");
    }
}

}  // namespace ledger
