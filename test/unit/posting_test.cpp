// The rules of a transfer: what plan_transfer allows, what it refuses, and that what it allows
// moves money without making or losing any.
#include <gtest/gtest.h>

#include "posting.hpp"
#include "test_support.hpp"

namespace ledger_test {
namespace {

using ledger::AccountState;
using ledger::ExpectedVersion;
using ledger::plan_transfer;

AccountState account(std::int64_t id, const char *balance, std::int64_t version = 0) {
    return AccountState{id, parse(balance),
                        parse("0 " + std::string(parse(balance).currency.code.view())),
                        std::nullopt, version};
}

TEST(PlanTransfer, MovesTheAmountAndBumpsBothVersions) {
    const auto planned = plan_transfer(account(1, "100.00 USD", 4), account(2, "5.00 USD", 9),
                                       parse("30.25 USD"), std::nullopt);
    EXPECT_EQ(planned.from_after.balance, parse("69.75 USD"));
    EXPECT_EQ(planned.to_after.balance, parse("35.25 USD"));
    EXPECT_EQ(planned.from_after.version, 5);
    EXPECT_EQ(planned.to_after.version, 10);
    EXPECT_EQ(planned.from_after.id, 1);
    EXPECT_EQ(planned.to_after.id, 2);
}

TEST(PlanTransfer, ConservesMoneyForManyAmounts) {
    for (long long cents : {1LL, 2LL, 99LL, 100LL, 12345LL, 9999999LL}) {
        const AccountState from = account(1, "100000.00 USD");
        const AccountState to = account(2, "-3.00 USD");
        const Money amount = units(cents, "USD");
        const auto planned = plan_transfer(from, to, amount, std::nullopt);
        EXPECT_EQ(ledger::add(planned.from_after.balance, planned.to_after.balance),
                  ledger::add(from.balance, to.balance))
            << cents;
        EXPECT_EQ(ledger::subtract(from.balance, planned.from_after.balance), amount);
    }
}

TEST(PlanTransfer, AllowsExactlyDownToTheMinimum) {
    EXPECT_EQ(plan_transfer(account(1, "10.00 USD"), account(2, "0 USD"), parse("10.00 USD"),
                            std::nullopt)
                  .from_after.balance,
              parse("0 USD"));
    EXPECT_THROWS_KIND(plan_transfer(account(1, "10.00 USD"), account(2, "0 USD"),
                                     parse("10.01 USD"), std::nullopt),
                       ErrorKind::insufficient_funds);
}

TEST(PlanTransfer, NoLowerBoundMeansAnyDebit) {
    AccountState credit = account(1, "0 USD");
    credit.min_balance.reset();
    EXPECT_EQ(plan_transfer(credit, account(2, "0 USD"), parse("1000000 USD"), std::nullopt)
                  .from_after.balance,
              parse("-1000000 USD"));
}

TEST(PlanTransfer, NegativeMinimumAllowsOverdraftToIt) {
    AccountState overdraft = account(1, "0 JPY");
    overdraft.min_balance = parse("-500 JPY");
    EXPECT_EQ(plan_transfer(overdraft, account(2, "0 JPY"), parse("500 JPY"), std::nullopt)
                  .from_after.balance,
              parse("-500 JPY"));
    EXPECT_THROWS_KIND(
        plan_transfer(overdraft, account(2, "0 JPY"), parse("501 JPY"), std::nullopt),
        ErrorKind::insufficient_funds);
}

TEST(PlanTransfer, MaximumCapsTheDestination) {
    AccountState capped = account(2, "90.00 EUR");
    capped.max_balance = parse("100.00 EUR");
    EXPECT_EQ(plan_transfer(account(1, "50 EUR"), capped, parse("10.00 EUR"), std::nullopt)
                  .to_after.balance,
              parse("100.00 EUR"));
    EXPECT_THROWS_KIND(
        plan_transfer(account(1, "50 EUR"), capped, parse("10.01 EUR"), std::nullopt),
        ErrorKind::above_max_balance);
}

TEST(PlanTransfer, RefusesWhatIsNotATransfer) {
    EXPECT_THROWS_KIND(
        plan_transfer(account(1, "5 USD"), account(2, "0 USD"), parse("0 USD"), std::nullopt),
        ErrorKind::non_positive_amount);
    EXPECT_THROWS_KIND(
        plan_transfer(account(1, "5 USD"), account(2, "0 USD"), parse("-1 USD"), std::nullopt),
        ErrorKind::non_positive_amount);
    EXPECT_THROWS_KIND(
        plan_transfer(account(1, "5 USD"), account(1, "5 USD"), parse("1 USD"), std::nullopt),
        ErrorKind::same_account);
    EXPECT_THROWS_KIND(
        plan_transfer(account(1, "5 USD"), account(2, "0 EUR"), parse("1 USD"), std::nullopt),
        ErrorKind::account_currency_mismatch);
    EXPECT_THROWS_KIND(
        plan_transfer(account(1, "5 USD"), account(2, "0 USD"), parse("1 EUR"), std::nullopt),
        ErrorKind::account_currency_mismatch);
}

TEST(PlanTransfer, ExpectedVersionOfEitherAccount) {
    const AccountState from = account(1, "5 USD", 3);
    const AccountState to = account(2, "0 USD", 7);
    EXPECT_EQ(plan_transfer(from, to, parse("1 USD"), ExpectedVersion{1, 3}).from_after.version, 4);
    EXPECT_EQ(plan_transfer(from, to, parse("1 USD"), ExpectedVersion{2, 7}).to_after.version, 8);
    EXPECT_THROWS_KIND(plan_transfer(from, to, parse("1 USD"), ExpectedVersion{1, 2}),
                       ErrorKind::version_conflict);
    EXPECT_THROWS_KIND(plan_transfer(from, to, parse("1 USD"), ExpectedVersion{2, 3}),
                       ErrorKind::version_conflict);
}

TEST(PlanTransfer, OverflowIsRefusedNotWrapped) {
    AccountState rich = account(2, "0 JPY");
    rich.balance = units(kMax, "JPY");
    AccountState payer = account(1, "0 JPY");
    payer.min_balance.reset();
    EXPECT_THROWS_KIND(plan_transfer(payer, rich, parse("1 JPY"), std::nullopt),
                       ErrorKind::out_of_range);
}

// The message names only what the caller sent; the balance, the result and the limit are in the
// detail, which the glue shows only to callers who may read the accounts.
TEST(PlanTransfer, MessagesNameAccountsAndAmountsDetailsTheFigures) {
    try {
        plan_transfer(account(7, "10.00 USD"), account(8, "0 USD"), parse("20.00 USD"),
                      std::nullopt);
        FAIL() << "no error";
    } catch (const ledger::MoneyError &error) {
        const std::string message = error.what();
        EXPECT_EQ(message,
                  "insufficient funds: paying 20.00 USD would take account 7 below its minimum "
                  "balance");
        EXPECT_EQ(error.detail(),
                  "account 7 has 10.00 USD; paying would leave -10.00 USD, below its minimum "
                  "0.00 USD.");
    }
}

TEST(PlanTransfer, VersionConflictDetailsTheCurrentVersion) {
    AccountState from = account(1, "10.00 USD");
    from.version = 5;
    try {
        plan_transfer(from, account(2, "0 USD"), parse("1 USD"), ExpectedVersion{1, 3});
        FAIL() << "no error";
    } catch (const ledger::MoneyError &error) {
        EXPECT_EQ(std::string(error.what()), "account 1 is not at the expected version 3");
        EXPECT_EQ(error.detail(), "account 1 is at version 5.");
    }
}

TEST(PlanTransfer, SameCodeOtherMinorUnitsIsAnotherCurrency) {
    const Currency two{*ledger::CurrencyCode::parse("TMQ"), 2};
    const Currency eight{*ledger::CurrencyCode::parse("TMQ"), 8};
    const AccountState from{1, Money{MinorUnits(10000), two}, Money{MinorUnits(0), two},
                            std::nullopt, 0};
    const AccountState to{2, Money{MinorUnits(0), two}, std::nullopt, std::nullopt, 0};
    // 100 raw units: 1.00 TMQ at 2 decimals, but 0.00000100 TMQ at 8.
    const Money amount{MinorUnits(100), eight};
    EXPECT_THROWS_KIND(plan_transfer(from, to, amount, std::nullopt),
                       ErrorKind::account_currency_mismatch);
    EXPECT_EQ(thrown_message([&] { plan_transfer(from, to, amount, std::nullopt); }),
              "account 1 holds TMQ (2 decimals), not 0.00000100 TMQ (8 decimals)");
    // Other codes keep the message regression files expect.
    EXPECT_EQ(thrown_message([] {
                  plan_transfer(account(12, "5 USD"), account(2, "0 USD"), parse("1.00 EUR"),
                                std::nullopt);
              }),
              "account 12 holds USD, not 1.00 EUR");

    // A limit kept at another scale never bounds raw units of this one: 0.60 TMQ leaves 0.40,
    // which is 40 raw units against a minimum of 50 raw units at 8 decimals.
    AccountState limited = from;
    limited.balance = Money{MinorUnits(100), two};
    limited.min_balance = Money{MinorUnits(50), eight};
    EXPECT_THROWS_KIND(plan_transfer(limited, to, Money{MinorUnits(60), two}, std::nullopt),
                       ErrorKind::currency_mismatch);
    AccountState capped = to;
    capped.max_balance = Money{MinorUnits(1000000000), eight};
    EXPECT_THROWS_KIND(plan_transfer(from, capped, Money{MinorUnits(60), two}, std::nullopt),
                       ErrorKind::currency_mismatch);
}

}  // namespace
}  // namespace ledger_test
