// Text input and output of money: canonical round trips for every built-in currency, both word
// orders, the edges of the 128-bit range, and everything that must be refused as invalid_text.
#include <string>
#include <vector>

#include "test_support.hpp"

namespace ledger_test {
namespace {

using ledger::format_amount;
using ledger::format_money;
using ledger::iso_currencies_begin;
using ledger::iso_currencies_end;
using ledger::IsoCurrency;

// "1234567" followed by exactly `minor_units` fraction digits taken from "123456789...", so every
// decimal place carries a distinct non-zero digit and a misplaced point would show.
std::string digits_for(int minor_units) {
    std::string digits = "1234567";
    for (int i = 0; i < minor_units; ++i) {
        digits += static_cast<char>('1' + i % 9);
    }
    return digits;
}

std::string with_point(const std::string &digits, int minor_units) {
    if (minor_units == 0) {
        return digits;
    }
    return digits.substr(0, digits.size() - minor_units) + "." +
           digits.substr(digits.size() - minor_units);
}

std::string lower(std::string text) {
    for (char &c : text) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return text;
}

TEST(TextRoundTrip, EveryIsoCurrencyParsesAndFormatsCanonically) {
    int checked = 0;
    for (const IsoCurrency *iso = iso_currencies_begin(); iso != iso_currencies_end(); ++iso) {
        SCOPED_TRACE(iso->code);
        const std::string code = iso->code;
        const int decimals = iso->minor_units;
        const std::string digits = digits_for(decimals);
        const std::string amount = with_point(digits, decimals);
        const std::string canonical = amount + " " + code;
        const Money expected{MinorUnits(digits),
                             Currency{*ledger::CurrencyCode::parse(code), decimals}};

        const Money parsed = parse(canonical);
        EXPECT_EQ(parsed.amount, MinorUnits(digits));
        EXPECT_EQ(parsed.currency.code.view(), code);
        EXPECT_EQ(parsed.currency.minor_units, decimals);
        EXPECT_EQ(format_money(parsed), canonical);

        // Every accepted spelling means the same amount and formats back to the canonical text.
        const std::string trailing_zeros = (decimals == 0 ? amount + ".000" : amount + "000");
        const std::vector<std::string> spellings = {
            code + " " + amount,         lower(code) + " " + amount, amount + " " + lower(code),
            trailing_zeros + " " + code, "+" + amount + " " + code,  "00" + amount + " " + code,
            "  " + canonical + "\t\n",   amount + " \t " + code,
        };
        for (const std::string &text : spellings) {
            SCOPED_TRACE(text);
            const Money again = parse(text);
            EXPECT_EQ(again, expected);
            EXPECT_EQ(format_money(again), canonical);
        }

        // The negative amount and zero round trip as well.
        const Money negative = parse("-" + canonical);
        EXPECT_EQ(negative.amount, -MinorUnits(digits));
        EXPECT_EQ(format_money(negative), "-" + canonical);
        EXPECT_EQ(parse(format_money(negative)), negative);
        const std::string zero = decimals == 0 ? "0" : "0." + std::string(decimals, '0');
        EXPECT_EQ(format_money(parse("0 " + code)), zero + " " + code);

        // One non-zero digit beyond the currency's minor units is refused, not rounded.
        const std::string too_precise = (decimals == 0 ? amount + ".1" : amount + "1") + " " + code;
        EXPECT_THROWS_KIND(parse(too_precise), ErrorKind::invalid_text);
        ++checked;
    }
    // The generated table holds the 166 entries of the 2024-06-25 ISO 4217 list that define minor
    // units, plus XXX ("no currency") when the generator builds it in; any other count means
    // data/iso4217.csv or its generator lost or gained rows.
    const bool has_xxx = ledger::find_iso_currency(*ledger::CurrencyCode::parse("XXX")) != nullptr;
    EXPECT_EQ(checked, has_xxx ? 167 : 166);
}

TEST(TextRoundTrip, KnownCurrenciesHaveTheirIsoDecimals) {
    EXPECT_EQ(format_money(parse("12.5 USD")), "12.50 USD");
    EXPECT_EQ(format_money(parse("USD 12.50")), "12.50 USD");
    EXPECT_EQ(format_money(parse("eur 0.5")), "0.50 EUR");
    EXPECT_EQ(format_money(parse("1000 JPY")), "1000 JPY");
    EXPECT_EQ(format_money(parse("1.500 KWD")), "1.500 KWD");
    EXPECT_EQ(format_money(parse("1.5 BHD")), "1.500 BHD");
    EXPECT_EQ(format_money(parse("1 CLF")), "1.0000 CLF");
    EXPECT_EQ(parse("12.50 USD").amount, MinorUnits(1250));
    EXPECT_EQ(parse("USD -0.01").amount, MinorUnits(-1));
    EXPECT_EQ(parse("1.500 KWD").amount, MinorUnits(1500));
}

TEST(TextRoundTrip, NegativeZeroIsZero) {
    const Money zero = parse("-0.00 USD");
    EXPECT_EQ(zero.amount, MinorUnits(0));
    EXPECT_EQ(format_money(zero), "0.00 USD");
    EXPECT_EQ(zero, parse("0 USD"));
}

TEST(TextRoundTrip, RegisteredCurrencyThroughResolver) {
    const Money wei = parse("0.000000000000000001 ETH");
    EXPECT_EQ(wei.amount, MinorUnits(1));
    EXPECT_EQ(wei.currency.minor_units, 18);
    EXPECT_EQ(format_money(wei), "0.000000000000000001 ETH");
    EXPECT_EQ(format_money(parse("eth 1.5")), "1.500000000000000000 ETH");
    EXPECT_EQ(format_money(parse("-0.00000001 BTC")), "-0.00000001 BTC");
    EXPECT_EQ(format_money(parse("42 pts")), "42 PTS");
    EXPECT_THROWS_KIND(parse("0.0000000000000000001 ETH"), ErrorKind::invalid_text);
    EXPECT_THROWS_KIND(parse("1.5 PTS"), ErrorKind::invalid_text);
    // Without a resolver a registered code is unknown, and unknown codes are bad text.
    EXPECT_THROWS_KIND(ledger::parse_money("1 ETH", {}), ErrorKind::invalid_text);
    EXPECT_NE(thrown_message([] { ledger::parse_money("1 ETH", {}); }).find("unknown currency"),
              std::string::npos);
}

TEST(TextRoundTrip, BuiltInCurrencyWinsOverResolver) {
    // A registry cannot redefine an ISO code: USD keeps 2 decimals whatever the resolver says.
    const ledger::CurrencyResolver claims_everything = [](const ledger::CurrencyCode &) {
        return std::optional<int>(5);
    };
    const Money usd = ledger::parse_money("1.25 USD", claims_everything);
    EXPECT_EQ(usd.currency.minor_units, 2);
    EXPECT_EQ(usd.amount, MinorUnits(125));
    EXPECT_EQ(ledger::parse_money("1.00001 ABC", claims_everything).amount, MinorUnits(100001));
}

TEST(TextRange, BothEndsParseFormatAndRoundTrip) {
    const std::vector<std::string> texts = {
        kMax + " JPY",
        "-" + kMax + " JPY",
        "1701411834604692317316873037158841057.27 USD",
        "-1701411834604692317316873037158841057.27 USD",
        "170141183460469231731.687303715884105727 ETH",
        "-170141183460469231731.687303715884105727 ETH",
    };
    for (const std::string &text : texts) {
        SCOPED_TRACE(text);
        const Money money = parse(text);
        EXPECT_EQ(boost::multiprecision::abs(money.amount), max_units());
        EXPECT_EQ(format_money(money), text);
        EXPECT_EQ(parse(format_money(money)), money);
        EXPECT_EQ(ledger::from_stored(ledger::to_stored(money.amount)), money.amount);
    }
}

TEST(TextRange, OnePastEitherEndIsOutOfRange) {
    EXPECT_THROWS_KIND(parse(kMaxPlusOne + " JPY"), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(parse("-" + kMaxPlusOne + " JPY"), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(parse("1701411834604692317316873037158841057.28 USD"),
                       ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(parse("USD -1701411834604692317316873037158841057.28"),
                       ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(parse("170141183460469231731.687303715884105728 ETH"),
                       ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(parse("10000000000000000000000000000000000000000 JPY"),
                       ErrorKind::out_of_range);
    // In range as a whole number, but the 2 decimals of USD push it past the end.
    EXPECT_THROWS_KIND(parse(kMax + " USD"), ErrorKind::out_of_range);
}

TEST(TextRange, FortyDigitAmountsDoNotWrapAround) {
    // ceil(2^128 / 10) * 10 = 2^128 + 4: an unchecked 128-bit accumulator wraps this to 4.
    EXPECT_THROWS_KIND(parse("340282366920938463463374607431768211460 JPY"),
                       ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(parse("3402823669209384634633746074317682114.60 USD"),
                       ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(parse("-340282366920938463463374607431768211460 JPY"),
                       ErrorKind::out_of_range);
    // Every 40-digit magnitude is out of range, whatever the digits.
    for (char lead = '1'; lead <= '9'; ++lead) {
        for (char fill = '0'; fill <= '9'; ++fill) {
            const std::string text = lead + std::string(39, fill) + " JPY";
            SCOPED_TRACE(text);
            EXPECT_THROWS_KIND(parse(text), ErrorKind::out_of_range);
        }
    }
}

TEST(TextRange, LeadingZerosDoNotCountTowardTheRange) {
    const std::string padded = std::string(60, '0') + kMax + " JPY";
    EXPECT_EQ(parse(padded).amount, max_units());
}

TEST(TextRejects, MalformedInputIsInvalidText) {
    const std::vector<std::string> rejected = {
        "",
        "   ",
        "\t\n",
        "USD",
        "12.50",
        "12.50USD",
        "USD12.50",
        "NaN USD",
        "USD NaN",
        "nan USD",
        "-NaN USD",
        "Infinity USD",
        "-Infinity USD",
        "USD +infinity",
        "inf USD",
        "USD -Inf",
        "1e3 USD",
        "1E3 USD",
        "USD 1.5e2",
        "1e-2 USD",
        "0x10 USD",
        "12,50 USD",
        "1,000.00 USD",
        "1 000 USD",
        "12.50 USD extra",
        "12.50 USD USD",
        "USD 12.50 USD",
        "12.50 12.50",
        "USD EUR",
        "--1 USD",
        "+-1 USD",
        "- 1 USD",
        "1..0 USD",
        "1.0.0 USD",
        ".5 USD",
        "5. USD",
        "-.5 USD",
        "$12.50 USD",
        "12.50 $",
        "12.50 XYZ",
        "12.50 US",
        "12.50 USDOLLARS",
        "12.50 1USD",
        "12.50 US-D",
        "12.50 XAU",
        "12.505 USD",
        "0.001 USD",
        "1.5 JPY",
        "1.0001 KWD",
        "12.50\vUSD",
        std::string("12.50 US\0", 9),
        std::string("12.50\0 USD", 10),
        "12.50 \xC3\x9CSD",
    };
    for (const std::string &text : rejected) {
        SCOPED_TRACE(text);
        EXPECT_THROWS_KIND(parse(text), ErrorKind::invalid_text);
    }
}

TEST(TextRejects, MessagesNameTheProblem) {
    EXPECT_NE(thrown_message([] { parse("NaN USD"); }).find("NaN and infinity"), std::string::npos);
    EXPECT_NE(thrown_message([] { parse("12.505 USD"); }).find("USD has 2 decimal places"),
              std::string::npos);
    EXPECT_NE(thrown_message([] { parse("1e3 USD"); }).find("\"1e3\" is not a plain decimal"),
              std::string::npos);
    EXPECT_NE(thrown_message([] { parse("12.50 XYZ"); }).find("unknown currency \"XYZ\""),
              std::string::npos);
}

TEST(TextRejects, LengthLimit) {
    // Exactly the limit is accepted; one byte more is refused before any parsing.
    std::string at_limit = "1.00 USD";
    at_limit.insert(0, ledger::kMaxMoneyTextLength - at_limit.size(), '0');
    ASSERT_EQ(at_limit.size(), ledger::kMaxMoneyTextLength);
    EXPECT_EQ(parse(at_limit).amount, MinorUnits(100));
    EXPECT_THROWS_KIND(parse("0" + at_limit), ErrorKind::invalid_text);
    EXPECT_THROWS_KIND(parse(at_limit + " "), ErrorKind::invalid_text);
    // The message quotes only the start of hostile input.
    const std::string huge(100000, '9');
    const std::string message = thrown_message([&] { parse(huge + " USD"); });
    EXPECT_NE(message.find("longer than 128 characters"), std::string::npos);
    EXPECT_LT(message.size(), 200u);
}

TEST(FormatAmount, PlacesThePointAndSign) {
    EXPECT_EQ(format_amount(MinorUnits(0), 0), "0");
    EXPECT_EQ(format_amount(MinorUnits(0), 2), "0.00");
    EXPECT_EQ(format_amount(MinorUnits(5), 2), "0.05");
    EXPECT_EQ(format_amount(MinorUnits(-5), 2), "-0.05");
    EXPECT_EQ(format_amount(MinorUnits(-123), 2), "-1.23");
    EXPECT_EQ(format_amount(MinorUnits(100), 0), "100");
    EXPECT_EQ(format_amount(MinorUnits(-100), 0), "-100");
    EXPECT_EQ(format_amount(MinorUnits(1), 18), "0.000000000000000001");
    EXPECT_EQ(format_amount(MinorUnits(-1), 18), "-0.000000000000000001");
    EXPECT_EQ(format_amount(max_units(), 0), kMax);
    EXPECT_EQ(format_amount(-max_units(), 0), "-" + kMax);
    EXPECT_EQ(format_amount(max_units(), 18), "170141183460469231731.687303715884105727");
    EXPECT_EQ(format_amount(-max_units(), 18), "-170141183460469231731.687303715884105727");
    EXPECT_EQ(format_amount(max_units(), 4), "17014118346046923173168730371588410.5727");
}

TEST(DecimalToMinorUnits, ExactDecimals) {
    using ledger::decimal_to_minor_units;
    EXPECT_EQ(decimal_to_minor_units("12.5", 2), MinorUnits(1250));
    EXPECT_EQ(decimal_to_minor_units("-12.5000", 2), MinorUnits(-1250));
    EXPECT_EQ(decimal_to_minor_units("+7", 0), MinorUnits(7));
    EXPECT_EQ(decimal_to_minor_units("0.012", 3), MinorUnits(12));
    EXPECT_EQ(decimal_to_minor_units("0008", 0), MinorUnits(8));
    EXPECT_EQ(decimal_to_minor_units("1", 18), MinorUnits("1000000000000000000"));
    EXPECT_EQ(decimal_to_minor_units(kMax, 0), max_units());
    EXPECT_EQ(decimal_to_minor_units("-" + kMax, 0), -max_units());
}

TEST(DecimalToMinorUnits, Errors) {
    using ledger::decimal_to_minor_units;
    EXPECT_THROWS_KIND(decimal_to_minor_units("12.505", 2), ErrorKind::inexact_amount);
    EXPECT_THROWS_KIND(decimal_to_minor_units("0.5", 0), ErrorKind::inexact_amount);
    EXPECT_THROWS_KIND(decimal_to_minor_units(kMaxPlusOne, 0), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(decimal_to_minor_units(kMax, 2), ErrorKind::out_of_range);
    EXPECT_THROWS_KIND(decimal_to_minor_units("340282366920938463463374607431768211460", 0),
                       ErrorKind::out_of_range);
    for (const char *text : {"NaN", "nan", "Infinity", "-Infinity", "inf", "", "-", "1e3", ".5",
                             "5.", "1.2.3", " 1", "1 ", "0x1", "1,5"}) {
        SCOPED_TRACE(text);
        EXPECT_THROWS_KIND(decimal_to_minor_units(text, 2), ErrorKind::invalid_parameter);
    }
}

}  // namespace
}  // namespace ledger_test
