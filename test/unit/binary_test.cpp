// Binary (wire) form of money: the exact bytes of known values, round trips for every built-in
// currency at both ends of the range, and every input that must be refused, with its ErrorKind.
#include <string>

#include "binary.hpp"
#include "test_support.hpp"

namespace ledger_test {
namespace {

using ledger::decode_money;
using ledger::encode_money;
using ledger::iso_currencies_begin;
using ledger::iso_currencies_end;
using ledger::IsoCurrency;

// Bytes written as hex ("0004e2..."), so expected encodings are spelled independently of the
// encoder.
std::string hex_bytes(const std::string &hex) {
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return bytes;
}

Money decode(const std::string &bytes) {
    return decode_money(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size(),
                        test_resolver());
}

const std::string kUsd1250 =
    "000000000000000000000000000004e2"
    "02"
    "555344";

TEST(Binary, EncodesKnownValues) {
    EXPECT_EQ(encode_money(parse("12.50 USD")), hex_bytes(kUsd1250));
    EXPECT_EQ(encode_money(parse("-1 JPY")), hex_bytes("ffffffffffffffffffffffffffffffff"
                                                       "00"
                                                       "4a5059"));
    EXPECT_EQ(encode_money(units(kMax, "ETH")), hex_bytes("7fffffffffffffffffffffffffffffff"
                                                          "12"
                                                          "455448"));
    EXPECT_EQ(encode_money(units("-" + kMax, "PTS")), hex_bytes("80000000000000000000000000000001"
                                                                "00"
                                                                "505453"));
    EXPECT_EQ(encode_money(parse("0 CLF")), hex_bytes("00000000000000000000000000000000"
                                                      "04"
                                                      "434c46"));
    // The high half is the first eight bytes: 2^64 minor units.
    EXPECT_EQ(encode_money(units("18446744073709551616", "JPY")),
              hex_bytes("00000000000000010000000000000000"
                        "00"
                        "4a5059"));
}

TEST(Binary, DecodesKnownValues) {
    EXPECT_EQ(decode(hex_bytes(kUsd1250)), parse("12.50 USD"));
    EXPECT_EQ(decode(hex_bytes("ffffffffffffffffffffffffffffffff"
                               "00"
                               "4a5059")),
              parse("-1 JPY"));
    EXPECT_EQ(decode(hex_bytes("00000000000000010000000000000000"
                               "00"
                               "4a5059")),
              units("18446744073709551616", "JPY"));
    EXPECT_EQ(decode(hex_bytes("fffffffffffffffeffffffffffffffff"
                               "00"
                               "4a5059")),
              units("-18446744073709551617", "JPY"));
}

TEST(Binary, RoundTripsEveryBuiltInCurrencyAtBothEnds) {
    for (const IsoCurrency *iso = iso_currencies_begin(); iso != iso_currencies_end(); ++iso) {
        for (const std::string &amount : {kMax, "-" + kMax, std::string("0"), std::string("-1")}) {
            const Money money = units(amount, iso->code);
            const std::string bytes = encode_money(money);
            ASSERT_EQ(bytes.size(), 17 + std::string(iso->code).size()) << iso->code;
            EXPECT_EQ(static_cast<unsigned char>(bytes[16]), iso->minor_units) << iso->code;
            EXPECT_EQ(bytes.substr(17), iso->code);
            EXPECT_EQ(decode(bytes), money) << iso->code << " " << amount;
        }
    }
}

TEST(Binary, RoundTripsRegisteredCurrencies) {
    for (const char *code : {"ETH", "BTC", "PTS"}) {
        for (const std::string &amount : {kMax, "-" + kMax, std::string("1")}) {
            const Money money = units(amount, code);
            EXPECT_EQ(decode(encode_money(money)), money) << code << " " << amount;
        }
    }
}

TEST(Binary, AcceptsLowerCaseCodes) {
    const Money money =
        decode(hex_bytes("000000000000000000000000000004e2"
                         "02"
                         "757364"));
    EXPECT_EQ(money, parse("12.50 USD"));
    EXPECT_EQ(money.currency.code.view(), "USD");
    EXPECT_EQ(encode_money(money), hex_bytes(kUsd1250));
    EXPECT_EQ(decode(hex_bytes("00000000000000000000000000000001"
                               "12"
                               "457448"))
                  .currency,
              currency("ETH"));
}

TEST(Binary, RefusesWrongLengths) {
    const std::string valid = hex_bytes(kUsd1250);
    EXPECT_THROWS_KIND(decode(""), ErrorKind::invalid_binary);
    EXPECT_THROWS_KIND(decode(hex_bytes("0000000000000004e2")), ErrorKind::invalid_binary);
    EXPECT_THROWS_KIND(decode(valid.substr(0, 19)), ErrorKind::invalid_binary);  // 2-byte code
    EXPECT_THROWS_KIND(decode(valid.substr(0, 17)), ErrorKind::invalid_binary);  // no code
    EXPECT_THROWS_KIND(decode(hex_bytes("000000000000000000000000000004e2"
                                        "02"
                                        "4142434445464748")),
                       ErrorKind::invalid_binary);  // 8-byte code
    EXPECT_EQ(thrown_message([] { decode(hex_bytes("0000000000000004e2")); }),
              "invalid binary monetary value: expected 17 bytes and a 3 to 7 byte currency code, "
              "got 9 bytes");
    EXPECT_THROWS_KIND(decode_money(nullptr, 0, test_resolver()), ErrorKind::invalid_binary);
}

TEST(Binary, RefusesMalformedCodes) {
    const std::string header = hex_bytes(
        "000000000000000000000000000004e2"
        "02");
    for (const std::string &code :
         {std::string("U\0SD", 4), std::string("USD\0", 4), std::string("1SD"), std::string("US-"),
          std::string("U SD"), std::string("US\xc3\x84")}) {
        EXPECT_THROWS_KIND(decode(header + code), ErrorKind::invalid_binary) << code;
    }
    // The whole code is quoted, with bytes that are not printable ASCII escaped.
    EXPECT_EQ(thrown_message([&] { decode(header + std::string("U\0SD", 4)); }),
              "invalid binary monetary value: \"U\\x00SD\" is not a currency code");
    EXPECT_EQ(thrown_message([&] { decode(header + "\xff\xfe\xc3"); }),
              "invalid binary monetary value: \"\\xff\\xfe\\xc3\" is not a currency code");
    EXPECT_EQ(thrown_message([&] { decode(header + "U\\\"D"); }),
              "invalid binary monetary value: \"U\\x5c\\x22D\" is not a currency code");
    EXPECT_EQ(thrown_message([&] { decode(header + "1SD"); }),
              "invalid binary monetary value: \"1SD\" is not a currency code");
}

TEST(Binary, RefusesUnknownCurrencies) {
    EXPECT_THROWS_KIND(decode(hex_bytes("000000000000000000000000000004e2"
                                        "02"
                                        "58595a")),
                       ErrorKind::invalid_binary);
    EXPECT_EQ(thrown_message([] {
                  decode(
                      hex_bytes("000000000000000000000000000004e2"
                                "02"
                                "78797a"));
              }),
              "invalid binary monetary value: unknown currency \"XYZ\"");
}

TEST(Binary, RefusesWrongMinorUnits) {
    EXPECT_THROWS_KIND(decode(hex_bytes("000000000000000000000000000004e2"
                                        "03"
                                        "555344")),
                       ErrorKind::invalid_binary);
    EXPECT_THROWS_KIND(decode(hex_bytes("000000000000000000000000000004e2"
                                        "ff"
                                        "555344")),
                       ErrorKind::invalid_binary);
    EXPECT_THROWS_KIND(decode(hex_bytes("00000000000000000000000000000001"
                                        "08"
                                        "455448")),
                       ErrorKind::invalid_binary);
    EXPECT_EQ(thrown_message([] {
                  decode(
                      hex_bytes("000000000000000000000000000004e2"
                                "03"
                                "555344"));
              }),
              "invalid binary monetary value: USD has 2 minor units, not 3");
}

TEST(Binary, RefusesMinusTwoToThe127) {
    EXPECT_THROWS_KIND(decode(hex_bytes("80000000000000000000000000000000"
                                        "02"
                                        "555344")),
                       ErrorKind::out_of_range);
    EXPECT_EQ(thrown_message([] {
                  decode(
                      hex_bytes("80000000000000000000000000000000"
                                "02"
                                "555344"));
              }),
              "monetary amount is out of range");
    // The currency is checked first.
    EXPECT_THROWS_KIND(decode(hex_bytes("80000000000000000000000000000000"
                                        "02"
                                        "58595a")),
                       ErrorKind::invalid_binary);
    // Its neighbour is the lower end of the range.
    EXPECT_EQ(decode(hex_bytes("80000000000000000000000000000001"
                               "02"
                               "555344")),
              units("-" + kMax, "USD"));
}

}  // namespace
}  // namespace ledger_test
