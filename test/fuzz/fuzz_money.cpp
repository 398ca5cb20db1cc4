// libFuzzer harness for the money core. Any byte string goes to parse_money; a MoneyError is an
// acceptable answer, any other exception or a crash is a bug. Whatever parses must satisfy the
// invariants below, each checked against arithmetic that does not come from the code under test.
// The harness keeps no state between inputs, so every input replays the same way.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocation.hpp"
#include "currency.hpp"
#include "error.hpp"
#include "fuzz_support.hpp"
#include "minor_units.hpp"
#include "money.hpp"
#include "text.hpp"

namespace {

using ledger::BigInt;
using ledger::ErrorKind;
using ledger::MinorUnits;
using ledger::Money;
using ledger::MoneyError;

using ledger_fuzz::resolve;

const BigInt &max_big() {
    static const BigInt max = (BigInt(1) << 127) - 1;
    return max;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// The amount that accepted text spells, in minor units, read independently of the parser: the
// one whitespace-separated token that starts like a number, its digits shifted by the currency's
// minor units. Accepted text has only zeros beyond them, so dropping those loses nothing.
BigInt spelled_amount(std::string_view text, int minor_units) {
    std::vector<std::string_view> tokens;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_space(text[i])) {
            ++i;
        }
        const std::size_t start = i;
        while (i < text.size() && !is_space(text[i])) {
            ++i;
        }
        if (i > start) {
            tokens.push_back(text.substr(start, i - start));
        }
    }
    FUZZ_CHECK(tokens.size() == 2);
    auto numeric = [](std::string_view token) {
        return is_digit(token[0]) || token[0] == '+' || token[0] == '-' || token[0] == '.';
    };
    FUZZ_CHECK(numeric(tokens[0]) != numeric(tokens[1]));
    std::string_view number = numeric(tokens[0]) ? tokens[0] : tokens[1];
    const bool negative = number[0] == '-';
    if (number[0] == '-' || number[0] == '+') {
        number.remove_prefix(1);
    }
    BigInt value = 0;
    int decimals = -1;  // digits seen after the point; -1 before it
    for (const char c : number) {
        if (c == '.') {
            FUZZ_CHECK(decimals < 0);
            decimals = 0;
            continue;
        }
        FUZZ_CHECK(is_digit(c));
        if (decimals >= minor_units) {
            FUZZ_CHECK(c == '0');
            continue;
        }
        value = value * 10 + (c - '0');
        if (decimals >= 0) {
            ++decimals;
        }
    }
    for (int d = decimals < 0 ? 0 : decimals; d < minor_units; ++d) {
        value *= 10;
    }
    return negative ? BigInt(-value) : value;
}

// FNV-1a, to derive deterministic operands (part counts, ratios, factors) from the input.
std::uint64_t hash_of(const std::uint8_t *data, std::size_t size) {
    std::uint64_t hash = 14695981039346656037u;
    for (std::size_t i = 0; i < size; ++i) {
        hash = (hash ^ data[i]) * 1099511628211u;
    }
    return hash;
}

// An operation either returns the exact value or throws out_of_range exactly when that value
// lies beyond +-(2^127 - 1).
template <typename Op>
void check_exact_or_out_of_range(const BigInt &exact, Op op) {
    const bool fits = boost::multiprecision::abs(exact) <= max_big();
    try {
        const Money result = op();
        FUZZ_CHECK(fits);
        FUZZ_CHECK(BigInt(result.amount) == exact);
    } catch (const MoneyError &error) {
        FUZZ_CHECK(error.kind() == ErrorKind::out_of_range);
        FUZZ_CHECK(!fits);
    }
}

void check_text(const Money &money, std::string_view input) {
    FUZZ_CHECK(money.currency.minor_units >= 0 &&
               money.currency.minor_units <= ledger::kMaxCurrencyMinorUnits);
    FUZZ_CHECK(BigInt(money.amount) == spelled_amount(input, money.currency.minor_units));

    // The canonical text parses back to the same value and is a fixed point of formatting.
    const std::string text = ledger::format_money(money);
    FUZZ_CHECK(text.size() <= ledger::kMaxMoneyTextLength);
    const Money again = ledger::parse_money(text, resolve);
    FUZZ_CHECK(ledger::equal(again, money));
    FUZZ_CHECK(ledger::format_money(again) == text);

    // Storage keeps every value of the range.
    FUZZ_CHECK(ledger::from_stored(ledger::to_stored(money.amount)) == money.amount);
}

void check_arithmetic(const Money &money, std::uint64_t hash) {
    const BigInt amount(money.amount);
    const Money zero{MinorUnits(0), money.currency};

    FUZZ_CHECK(ledger::equal(ledger::negate(ledger::negate(money)), money));
    FUZZ_CHECK(ledger::equal(ledger::add(money, ledger::negate(money)), zero));
    FUZZ_CHECK(ledger::equal(ledger::subtract(money, money), zero));
    FUZZ_CHECK(BigInt(ledger::absolute(money).amount) == boost::multiprecision::abs(amount));
    check_exact_or_out_of_range(amount * 2, [&] { return ledger::add(money, money); });
    check_exact_or_out_of_range(-amount * 2,
                                [&] { return ledger::subtract(ledger::negate(money), money); });
    const auto factor = static_cast<std::int64_t>(hash);
    check_exact_or_out_of_range(amount * factor, [&] { return ledger::multiply(money, factor); });
    check_exact_or_out_of_range(amount * 3, [&] { return ledger::multiply(money, 3); });

    const int sign = amount < 0 ? -1 : (amount > 0 ? 1 : 0);
    FUZZ_CHECK(ledger::compare(money, money) == 0);
    FUZZ_CHECK(ledger::compare(money, zero) == sign);
    FUZZ_CHECK(ledger::compare(zero, money) == -sign);
    FUZZ_CHECK(ledger::compare(ledger::negate(money), money) == -sign);

    // The total order agrees with compare() within a currency.
    FUZZ_CHECK(ledger::compare_total(money, money) == 0);
    FUZZ_CHECK(ledger::compare_total(money, zero) == sign);
    FUZZ_CHECK(ledger::compare_total(zero, money) == -sign);
    FUZZ_CHECK(ledger::compare_total(ledger::negate(money), money) == -sign);

    // Another currency, or the same code with other minor units, never compares, adds or
    // equals; the total order puts it by code bytes, then minor units.
    const char *other_code = money.currency.code.view() == "USD" ? "EUR" : "USD";
    const Money other_code_money{money.amount, ledger::resolve_currency(other_code, resolve)};
    const int other_scale = (money.currency.minor_units + 1 + static_cast<int>(hash % 18)) %
                            (ledger::kMaxCurrencyMinorUnits + 1);
    const Money other_scale_money{money.amount, ledger::Currency{money.currency.code, other_scale}};
    FUZZ_CHECK(other_scale != money.currency.minor_units);
    for (const Money &other : {other_code_money, other_scale_money}) {
        FUZZ_CHECK(!ledger::equal(money, other));
        try {
            ledger::compare(money, other);
            FUZZ_CHECK(false);
        } catch (const MoneyError &error) {
            FUZZ_CHECK(error.kind() == ErrorKind::currency_mismatch);
        }
        try {
            ledger::add(money, other);
            FUZZ_CHECK(false);
        } catch (const MoneyError &error) {
            FUZZ_CHECK(error.kind() == ErrorKind::currency_mismatch);
        }
        const int order = ledger::compare_total(money, other);
        FUZZ_CHECK(order != 0 && order == -ledger::compare_total(other, money));
    }
    const auto &code_bytes = money.currency.code.bytes();
    const auto &other_bytes = other_code_money.currency.code.bytes();
    const int code_order = std::string(code_bytes.begin(), code_bytes.end())
                               .compare(std::string(other_bytes.begin(), other_bytes.end()));
    FUZZ_CHECK(ledger::compare_total(money, other_code_money) == (code_order < 0 ? -1 : 1));
    FUZZ_CHECK(ledger::compare_total(money, other_scale_money) ==
               (money.currency.minor_units < other_scale ? -1 : 1));
}

BigInt sum_of(const std::vector<Money> &parts, const Money &whole) {
    BigInt sum = 0;
    for (const Money &part : parts) {
        FUZZ_CHECK(part.currency == whole.currency);
        sum += BigInt(part.amount);
    }
    return sum;
}

void check_allocation(const Money &money, std::uint64_t hash) {
    const BigInt amount(money.amount);

    // Even parts: the whole, split into near-equal parts with the larger ones first.
    const auto count = static_cast<std::int64_t>(1 + hash % 64);
    const std::vector<Money> even = ledger::allocate_evenly(money, count);
    FUZZ_CHECK(static_cast<std::int64_t>(even.size()) == count);
    FUZZ_CHECK(sum_of(even, money) == amount);
    for (std::size_t i = 1; i < even.size(); ++i) {
        const BigInt step = boost::multiprecision::abs(BigInt(even[i - 1].amount)) -
                            boost::multiprecision::abs(BigInt(even[i].amount));
        FUZZ_CHECK(step == 0 || step == 1);
    }

    // Ratios from the hash, small and huge, sometimes zero; all zero must be refused.
    std::vector<std::int64_t> ratios;
    const std::size_t ratio_count = 1 + (hash >> 8) % 6;
    bool any_positive = false;
    for (std::size_t i = 0; i < ratio_count; ++i) {
        const std::uint64_t bits = hash >> (12 + 8 * i);
        std::int64_t ratio = static_cast<std::int64_t>(bits % 5);
        if (bits % 7 == 6) {
            ratio = INT64_MAX - static_cast<std::int64_t>(bits % 3);
        }
        any_positive = any_positive || ratio > 0;
        ratios.push_back(ratio);
    }
    BigInt total = 0;
    for (const std::int64_t ratio : ratios) {
        total += ratio;
    }
    try {
        const std::vector<Money> parts = ledger::allocate_by_ratios(money, ratios);
        FUZZ_CHECK(any_positive);
        FUZZ_CHECK(parts.size() == ratios.size());
        FUZZ_CHECK(sum_of(parts, money) == amount);
        for (std::size_t i = 0; i < parts.size(); ++i) {
            // Within one minor unit of the exact share.
            FUZZ_CHECK(boost::multiprecision::abs(BigInt(parts[i].amount) * total -
                                                  amount * ratios[i]) < total);
        }
    } catch (const MoneyError &error) {
        FUZZ_CHECK(error.kind() == ErrorKind::invalid_parameter);
        FUZZ_CHECK(!any_positive);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    Money money;
    try {
        money = ledger::parse_money(input, resolve);
    } catch (const MoneyError &) {
        return 0;  // refusing input is the parser's job
    }
    const std::uint64_t hash = hash_of(data, size);
    check_text(money, input);
    check_arithmetic(money, hash);
    check_allocation(money, hash);
    return 0;
}
