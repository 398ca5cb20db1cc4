#include "text.hpp"

#include <optional>

#include "error.hpp"
#include "invariant.hpp"

namespace ledger {
namespace {

// The digits of a decimal number, as they appear in the text.
struct DecimalDigits {
    bool negative = false;
    std::string_view whole;     // at least one digit
    std::string_view fraction;  // possibly empty
};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        if (x != b[i]) {
            return false;
        }
    }
    return true;
}

std::optional<DecimalDigits> split_decimal(std::string_view text) {
    DecimalDigits digits;
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
        digits.negative = text[0] == '-';
        text.remove_prefix(1);
    }
    const std::size_t point = text.find('.');
    digits.whole = text.substr(0, point);
    if (point != std::string_view::npos) {
        digits.fraction = text.substr(point + 1);
        if (digits.fraction.empty()) {
            return std::nullopt;
        }
    }
    if (digits.whole.empty()) {
        return std::nullopt;
    }
    for (const std::string_view part : {digits.whole, digits.fraction}) {
        for (const char c : part) {
            if (!is_digit(c)) {
                return std::nullopt;
            }
        }
    }
    return digits;
}

// Minor units of `digits` for a currency with `minor_units` decimals; nullopt when a non-zero
// digit lies beyond them. Throws out_of_range.
std::optional<MinorUnits> digits_to_minor_units(const DecimalDigits &digits, int minor_units) {
    const auto kept = static_cast<std::size_t>(minor_units);
    for (std::size_t i = kept; i < digits.fraction.size(); ++i) {
        if (digits.fraction[i] != '0') {
            return std::nullopt;
        }
    }
    // 10 * (2^127 - 1) + 9 does not fit an unsigned 128-bit accumulator (a 40-digit amount would
    // wrap to a small one), so the bound is checked before each digit is pushed.
    unsigned __int128 magnitude = 0;
    const auto max = static_cast<unsigned __int128>(static_cast<__int128>(max_minor_units()));
    auto push = [&](char digit) {
        const auto value = static_cast<unsigned>(digit - '0');
        if (magnitude > (max - value) / 10) {
            throw MoneyError(ErrorKind::out_of_range, "monetary amount is out of range",
                             "A monetary amount holds at most 2^127 - 1 minor units.");
        }
        magnitude = magnitude * 10 + value;
    };
    for (const char c : digits.whole) {
        push(c);
    }
    for (std::size_t i = 0; i < kept; ++i) {
        push(i < digits.fraction.size() ? digits.fraction[i] : '0');
    }
    const auto value = static_cast<__int128>(magnitude);
    return MinorUnits(digits.negative ? -value : value);
}

[[noreturn]] void invalid_text(std::string_view text, const std::string &why,
                               std::string hint =
                                   "Write an amount and a currency code, "
                                   "as in '12.50 USD' or 'USD 12.50'.") {
    throw MoneyError(ErrorKind::invalid_text,
                     "invalid monetary value \"" + std::string(text) + "\": " + why,
                     std::move(hint));
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

bool starts_like_number(std::string_view token) {
    return !token.empty() &&
           (is_digit(token[0]) || token[0] == '+' || token[0] == '-' || token[0] == '.');
}

}  // namespace

bool names_non_finite(std::string_view token) {
    if (!token.empty() && (token[0] == '+' || token[0] == '-')) {
        token.remove_prefix(1);
    }
    return equals_ignoring_case(token, "nan") || equals_ignoring_case(token, "inf") ||
           equals_ignoring_case(token, "infinity");
}

Money parse_money(std::string_view text, const CurrencyResolver &resolver) {
    if (text.size() > kMaxMoneyTextLength) {
        invalid_text(text.substr(0, 32),
                     "input is longer than " + std::to_string(kMaxMoneyTextLength) + " characters");
    }
    const std::string_view body = trim(text);
    if (body.empty()) {
        invalid_text(text, "empty input");
    }
    const std::size_t gap = body.find_first_of(" \t\n\r");
    if (gap == std::string_view::npos) {
        invalid_text(text, "an amount and a currency code must be separated by a space");
    }
    const std::string_view first = body.substr(0, gap);
    const std::string_view second = trim(body.substr(gap));
    if (second.find_first_of(" \t\n\r") != std::string_view::npos) {
        invalid_text(text, "unexpected text after the amount and currency code");
    }
    const bool number_first = starts_like_number(first);
    if (number_first == starts_like_number(second)) {
        // No token is the amount by its form ("NaN USD", "USD inf", "-inf -inf"); a word for a
        // non-finite number was presumably meant as one.
        if (names_non_finite(first) || names_non_finite(second)) {
            invalid_text(text, "NaN and infinity are not amounts of money");
        }
        invalid_text(text, number_first ? "missing currency code" : "missing amount");
    }
    const std::string_view number = number_first ? first : second;
    const std::string_view code_text = number_first ? second : first;
    // Only the amount: a currency code is a code even when it spells INF or NAN ("5.00 INF").
    if (names_non_finite(number)) {
        invalid_text(text, "NaN and infinity are not amounts of money");
    }

    const std::optional<DecimalDigits> digits = split_decimal(number);
    if (!digits) {
        invalid_text(text, "\"" + std::string(number) + "\" is not a plain decimal amount",
                     "Use digits with an optional sign and decimal point; no exponent, "
                     "no thousands separators.");
    }
    const std::optional<CurrencyCode> code = CurrencyCode::parse(code_text);
    const std::optional<Currency> currency = code ? find_currency(*code, resolver) : std::nullopt;
    if (!currency) {
        invalid_text(text, "unknown currency \"" + std::string(code_text) + "\"",
                     "Built-in currencies are ISO 4217 codes; register others with "
                     "ledger.create_currency(code, minor_units).");
    }
    const std::optional<MinorUnits> amount = digits_to_minor_units(*digits, currency->minor_units);
    if (!amount) {
        invalid_text(text,
                     std::string(currency->code.view()) + " has " +
                         std::to_string(currency->minor_units) + " decimal places",
                     "Round explicitly, e.g. with ledger.scale(), before storing.");
    }
    return Money{*amount, *currency};
}

std::string format_amount(const MinorUnits &amount, int minor_units) {
    LEDGER_INVARIANT(minor_units >= 0 && minor_units <= kMaxCurrencyMinorUnits);
    const auto value = static_cast<__int128>(amount);
    auto magnitude = static_cast<unsigned __int128>(value < 0 ? -value : value);
    // 39 digits, a point, leading zeros up to the minor units, and a sign.
    char buffer[64];
    char *end = buffer + sizeof buffer;
    char *cursor = end;
    int written = 0;
    do {
        if (written == minor_units && minor_units > 0) {
            *--cursor = '.';
        }
        *--cursor = static_cast<char>('0' + static_cast<int>(magnitude % 10));
        magnitude /= 10;
        ++written;
    } while (magnitude != 0 || written <= minor_units);
    if (value < 0) {
        *--cursor = '-';
    }
    return std::string(cursor, end);
}

std::string format_money(const Money &money) {
    std::string text = format_amount(money.amount, money.currency.minor_units);
    text += ' ';
    text += money.currency.code.view();
    return text;
}

MinorUnits decimal_to_minor_units(std::string_view decimal, int minor_units) {
    if (names_non_finite(decimal)) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         "\"" + std::string(decimal) + "\" is not an amount of money");
    }
    const std::optional<DecimalDigits> digits = split_decimal(decimal);
    if (!digits) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         "\"" + std::string(decimal) + "\" is not a plain decimal amount");
    }
    const std::optional<MinorUnits> amount = digits_to_minor_units(*digits, minor_units);
    if (!amount) {
        throw MoneyError(ErrorKind::inexact_amount,
                         std::string(decimal) + " has more than " + std::to_string(minor_units) +
                             " decimal places",
                         "Round explicitly, e.g. with ledger.scale(), first.");
    }
    return *amount;
}

}  // namespace ledger
