// Every currency that can be registered round-trips: for every code validate_new_currency accepts
// among all three-character codes, and a fixed sample of longer ones, with every number of minor
// units in use, values written by format_money read back to the identical Money in both word
// orders and in lower case, and the binary form decodes to the identical Money. The codes it
// refuses are exactly the ISO ones (built in) and the two that spell non-finite numbers.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "binary.hpp"
#include "test_support.hpp"

namespace ledger_test {
namespace {

using ledger::CurrencyCode;
using ledger::validate_new_currency;

const char kLetters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const char kLettersAndDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

std::string lower(std::string text) {
    for (char &c : text) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return text;
}

// Every three-character code: a letter, then two letters or digits (26 * 36 * 36).
std::vector<std::string> all_three_character_codes() {
    std::vector<std::string> codes;
    for (int a = 0; a < 26; ++a) {
        for (int b = 0; b < 36; ++b) {
            for (int c = 0; c < 36; ++c) {
                codes.push_back({kLetters[a], kLettersAndDigits[b], kLettersAndDigits[c]});
            }
        }
    }
    return codes;
}

// A fixed pseudo-random sample of four- to seven-character codes, and the longer codes that
// start like the words for non-finite numbers.
std::vector<std::string> sampled_longer_codes() {
    std::vector<std::string> codes = {"INFX", "INFI",  "INFIN", "INFINIT", "NANA",   "NAN0",
                                      "NANN", "E1000", "EUR0",  "USDT",    "Z000000"};
    std::uint64_t state = 0x2545F4914F6CDD1Du;
    auto next = [&state](std::uint64_t bound) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        return static_cast<std::size_t>((state >> 33) % bound);
    };
    for (int i = 0; i < 3000; ++i) {
        std::string code(1, kLetters[next(26)]);
        const std::size_t length = 4 + next(4);
        while (code.size() < length) {
            code += kLettersAndDigits[next(36)];
        }
        codes.push_back(code);
    }
    return codes;
}

// The values checked in a currency: zero, one minor unit, both ends of the range, and, varying
// from code to code, one whole unit, a long run of nines and a 127-bit pattern.
std::vector<MinorUnits> values_for(int minor_units, std::size_t index) {
    const MinorUnits max = max_units();
    std::vector<MinorUnits> values = {MinorUnits(0), MinorUnits(1), MinorUnits(-1), max, -max};
    MinorUnits whole = 1;
    for (int i = 0; i < minor_units; ++i) {
        whole *= 10;
    }
    switch (index % 3) {
        case 0:
            values.push_back(-whole);
            break;
        case 1:
            values.push_back(MinorUnits("99999999999999999999999999999999999999"));
            break;
        default:
            values.push_back(-MinorUnits("123456789012345678901234567890123456789") +
                             static_cast<long long>(index));
            break;
    }
    return values;
}

// Checks one value in one registered currency; returns false (after reporting) on a failure.
bool round_trips(const Money &money, const ledger::CurrencyResolver &resolver) {
    const std::string amount = ledger::format_amount(money.amount, money.currency.minor_units);
    const std::string code(money.currency.code.view());
    const std::string canonical = ledger::format_money(money);
    EXPECT_EQ(canonical, amount + " " + code);
    for (const std::string &text :
         {canonical, code + " " + amount, lower(canonical), lower(code) + " " + amount}) {
        Money parsed;
        try {
            parsed = ledger::parse_money(text, resolver);
        } catch (const ledger::MoneyError &error) {
            ADD_FAILURE() << "\"" << text << "\" does not read back: " << error.what();
            return false;
        }
        if (!equal(parsed, money) || parsed.currency.code.bytes() != money.currency.code.bytes()) {
            ADD_FAILURE() << "\"" << text << "\" reads back as " << format_money(parsed);
            return false;
        }
    }
    const std::string wire = ledger::encode_money(money);
    const Money decoded = ledger::decode_money(reinterpret_cast<const unsigned char *>(wire.data()),
                                               wire.size(), resolver);
    if (!equal(decoded, money)) {
        ADD_FAILURE() << canonical << " decodes from binary as " << format_money(decoded);
        return false;
    }
    return true;
}

struct Outcome {
    std::size_t accepted = 0;
    std::set<std::string> reserved;  // refused with invalid_parameter
    std::size_t built_in = 0;        // refused with duplicate_currency
    std::set<int> minor_units_used;  // among the accepted codes
};

Outcome check_codes(const std::vector<std::string> &codes) {
    Outcome outcome;
    for (std::size_t i = 0; i < codes.size(); ++i) {
        const int minor_units = static_cast<int>(i % (ledger::kMaxCurrencyMinorUnits + 1));
        Currency currency;
        try {
            currency = validate_new_currency(codes[i], minor_units);
        } catch (const ledger::MoneyError &error) {
            if (error.kind() == ErrorKind::duplicate_currency) {
                ++outcome.built_in;
            } else {
                EXPECT_EQ(error.kind(), ErrorKind::invalid_parameter) << codes[i];
                outcome.reserved.insert(codes[i]);
            }
            continue;
        }
        // The registry as the PostgreSQL layer would resolve it, holding this one currency.
        const ledger::CurrencyResolver resolver =
            [&currency](const CurrencyCode &code) -> std::optional<int> {
            return code == currency.code ? std::optional<int>(currency.minor_units) : std::nullopt;
        };
        for (const MinorUnits &amount : values_for(minor_units, i)) {
            if (!round_trips(Money{amount, currency}, resolver)) {
                return outcome;  // one report is enough
            }
        }
        ++outcome.accepted;
        outcome.minor_units_used.insert(minor_units);
    }
    return outcome;
}

TEST(RegisteredCodeRoundTrip, EveryThreeCharacterCode) {
    const std::vector<std::string> codes = all_three_character_codes();
    ASSERT_EQ(codes.size(), 26u * 36u * 36u);
    const Outcome outcome = check_codes(codes);
    const auto iso_count =
        static_cast<std::size_t>(ledger::iso_currencies_end() - ledger::iso_currencies_begin());
    EXPECT_EQ(outcome.reserved, (std::set<std::string>{"INF", "NAN"}));
    EXPECT_EQ(outcome.built_in, iso_count);
    EXPECT_EQ(outcome.accepted, codes.size() - iso_count - 2);
    EXPECT_EQ(outcome.minor_units_used.size(), 19u);
}

TEST(RegisteredCodeRoundTrip, SampleOfLongerCodes) {
    const std::vector<std::string> codes = sampled_longer_codes();
    const Outcome outcome = check_codes(codes);
    EXPECT_TRUE(outcome.reserved.empty());
    EXPECT_EQ(outcome.built_in, 0u);
    EXPECT_EQ(outcome.accepted, codes.size());
    EXPECT_EQ(outcome.minor_units_used.size(), 19u);
    for (const std::size_t length : {4u, 5u, 6u, 7u}) {
        EXPECT_TRUE(std::any_of(codes.begin(), codes.end(), [length](const std::string &c) {
            return c.size() == length;
        })) << length;
    }
}

TEST(RegisteredCodeRoundTrip, NonFiniteWordsAreReservedInAnyCase) {
    for (const char *code : {"INF", "inf", "Nan", "NAN", "nAn"}) {
        SCOPED_TRACE(code);
        EXPECT_THROWS_KIND(validate_new_currency(code, 2), ErrorKind::invalid_parameter);
    }
    EXPECT_EQ(thrown_message([] { validate_new_currency("inf", 2); }),
              "currency code \"INF\" is reserved: it spells a non-finite number, which text input "
              "would not read back unambiguously");
    // "Infinity" is too long to be a code at all.
    EXPECT_THROWS_KIND(validate_new_currency("Infinity", 2), ErrorKind::invalid_parameter);
}

TEST(RegisteredCodeRoundTrip, CodesAlreadyRegisteredAsInfOrNanStillRead) {
    // Registered before these codes were reserved: their values must still load from a dump.
    const ledger::CurrencyResolver legacy = [](const CurrencyCode &code) -> std::optional<int> {
        if (code.view() == "INF") {
            return 2;
        }
        if (code.view() == "NAN") {
            return 0;
        }
        return std::nullopt;
    };
    const Currency inf{*CurrencyCode::parse("INF"), 2};
    const Currency nan{*CurrencyCode::parse("NAN"), 0};
    EXPECT_EQ(ledger::parse_money("5.00 INF", legacy), (Money{MinorUnits(500), inf}));
    EXPECT_EQ(ledger::parse_money("INF -5.00", legacy), (Money{MinorUnits(-500), inf}));
    EXPECT_EQ(ledger::parse_money("7 nan", legacy), (Money{MinorUnits(7), nan}));
    EXPECT_EQ(ledger::parse_money("nan 7", legacy), (Money{MinorUnits(7), nan}));
    // The amount is still never a non-finite word, whatever the code.
    for (const char *text : {"NaN INF", "INF inf", "-inf INF", "NAN +Infinity", "inf nan"}) {
        SCOPED_TRACE(text);
        EXPECT_THROWS_KIND(ledger::parse_money(text, legacy), ErrorKind::invalid_text);
        EXPECT_NE(thrown_message([&] {
                      ledger::parse_money(text, legacy);
                  }).find("NaN and infinity are not amounts of money"),
                  std::string::npos);
    }
    // Without such a registration, a non-finite word in the code's place is an unknown code.
    EXPECT_NE(thrown_message([] { parse("5 NaN"); }).find("unknown currency \"NaN\""),
              std::string::npos);
}

}  // namespace
}  // namespace ledger_test
