// Helpers shared by the unit tests of the money core: a resolver for registered currencies, short
// constructors for amounts, and a way to assert which ErrorKind an expression throws.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "currency.hpp"
#include "error.hpp"
#include "minor_units.hpp"
#include "money.hpp"
#include "text.hpp"

namespace ledger {

// gtest prints enum values as numbers; names make a failed error-kind assertion readable.
inline const char *error_kind_name(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid_text:
            return "invalid_text";
        case ErrorKind::invalid_binary:
            return "invalid_binary";
        case ErrorKind::out_of_range:
            return "out_of_range";
        case ErrorKind::currency_mismatch:
            return "currency_mismatch";
        case ErrorKind::unknown_currency:
            return "unknown_currency";
        case ErrorKind::inexact_amount:
            return "inexact_amount";
        case ErrorKind::invalid_parameter:
            return "invalid_parameter";
        case ErrorKind::division_by_zero:
            return "division_by_zero";
        case ErrorKind::duplicate_currency:
            return "duplicate_currency";
        case ErrorKind::null_value:
            return "null_value";
        case ErrorKind::insufficient_funds:
            return "insufficient_funds";
        case ErrorKind::above_max_balance:
            return "above_max_balance";
        case ErrorKind::account_currency_mismatch:
            return "account_currency_mismatch";
        case ErrorKind::same_account:
            return "same_account";
        case ErrorKind::non_positive_amount:
            return "non_positive_amount";
        case ErrorKind::version_conflict:
            return "version_conflict";
        case ErrorKind::split_account:
            return "split_account";
        case ErrorKind::external_account:
            return "external_account";
        case ErrorKind::internal:
            return "internal";
        default:
            // Kinds only the PostgreSQL layer raises print as their number.
            return nullptr;
    }
}

inline void PrintTo(ErrorKind kind, std::ostream *out) {
    if (const char *name = error_kind_name(kind)) {
        *out << name;
    } else {
        *out << "ErrorKind(" << static_cast<int>(kind) << ")";
    }
}

// Readable failure messages, and EXPECT_EQ on Money (and vectors of it) with the core's own
// equality, which the core does not expose as an operator.
inline void PrintTo(const Currency &currency, std::ostream *out) {
    *out << currency.code.view() << "/" << currency.minor_units;
}
inline void PrintTo(const Money &money, std::ostream *out) {
    *out << format_money(money);
}
inline bool operator==(const Money &a, const Money &b) {
    return equal(a, b);
}

}  // namespace ledger

namespace ledger_test {

using ledger::BigInt;
using ledger::Currency;
using ledger::ErrorKind;
using ledger::MinorUnits;
using ledger::Money;

// The registered (non-ISO) currencies the tests know, as the PostgreSQL registry would resolve
// them: ETH needs the full 18 minor units, BTC 8, and PTS (loyalty points) none.
inline ledger::CurrencyResolver test_resolver() {
    return [](const ledger::CurrencyCode &code) -> std::optional<int> {
        if (code.view() == "ETH") {
            return 18;
        }
        if (code.view() == "BTC") {
            return 8;
        }
        if (code.view() == "PTS") {
            return 0;
        }
        return std::nullopt;
    };
}

inline Currency currency(std::string_view code) {
    return ledger::resolve_currency(code, test_resolver());
}

// An amount given in minor units, as a decimal string so that 128-bit values can be written.
inline Money units(const std::string &minor_units, std::string_view code) {
    return Money{MinorUnits(minor_units), currency(code)};
}
inline Money units(long long minor_units, std::string_view code) {
    return Money{MinorUnits(minor_units), currency(code)};
}

inline Money parse(std::string_view text) {
    return ledger::parse_money(text, test_resolver());
}

// 2^127 - 1 and its neighbours, written out so the tests do not derive them from the code under
// test.
inline const std::string kMax = "170141183460469231731687303715884105727";
inline const std::string kMaxPlusOne = "170141183460469231731687303715884105728";
inline MinorUnits max_units() {
    return MinorUnits(kMax);
}
inline BigInt big(const std::string &decimal) {
    return BigInt(decimal);
}

// The kind of MoneyError `f` throws; nullopt when it returns normally. Any other exception
// escapes and fails the test, because the core promises to throw only MoneyError.
template <typename F>
std::optional<ErrorKind> thrown_kind(F &&f) {
    try {
        f();
    } catch (const ledger::MoneyError &error) {
        return error.kind();
    }
    return std::nullopt;
}

// The message of the MoneyError `f` throws, or "" when it does not throw.
template <typename F>
std::string thrown_message(F &&f) {
    try {
        f();
    } catch (const ledger::MoneyError &error) {
        return error.what();
    }
    return "";
}

}  // namespace ledger_test

#define EXPECT_THROWS_KIND(statement, kind)                                              \
    EXPECT_EQ(::ledger_test::thrown_kind([&] { static_cast<void>(statement); }), (kind)) \
        << "for: " #statement
