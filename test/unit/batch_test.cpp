// Slots and batches: even parts are exact and monotone, a batch applies its transfers in order
// with every check, and an account gathered from its slots ends evenly spread, within its shares.
#include <gtest/gtest.h>

#include "batch.hpp"
#include "slots.hpp"
#include "test_support.hpp"

namespace ledger_test {
namespace {

using namespace ledger;

SlotState slot(std::int16_t number, const char *balance, std::optional<Money> min_share,
               std::optional<Money> max_share = std::nullopt, std::int64_t version = 0) {
    return SlotState{number, parse(balance), min_share, max_share, version};
}

LockedAccount whole(std::int64_t id, std::vector<SlotState> slots) {
    LockedAccount account;
    account.id = id;
    account.slots_in_use = static_cast<int>(slots.size());
    account.all_held = true;
    account.held = std::move(slots);
    return account;
}

TransferItem item(std::int64_t from, std::int64_t to, const char *amount) {
    TransferItem result;
    result.from_account = from;
    result.to_account = to;
    result.amount = parse(amount);
    return result;
}

TEST(EvenParts, SumExactlyAndDifferByAtMostOneUnit) {
    for (const char *text : {"10.00 USD", "-10.01 USD", "0.07 USD", "-0.07 USD", "0 USD"}) {
        for (int parts = 1; parts <= kMaxSlots; ++parts) {
            const std::vector<Money> split = even_parts(parse(text), parts);
            ASSERT_EQ(split.size(), static_cast<std::size_t>(parts));
            MinorUnits total = 0;
            for (const Money &part : split) {
                total += part.amount;
                EXPECT_LE(split.front().amount - part.amount, 1);
                EXPECT_GE(split.front().amount - part.amount, 0);
            }
            EXPECT_EQ(total, parse(text).amount) << text << " in " << parts;
        }
    }
}

TEST(EvenParts, AreMonotoneSoBalancePartsStayWithinLimitParts) {
    const std::vector<Money> low = even_parts(parse("-10.03 USD"), 4);
    const std::vector<Money> mid = even_parts(parse("-10.01 USD"), 4);
    const std::vector<Money> high = even_parts(parse("7.00 USD"), 4);
    for (int part = 0; part < 4; ++part) {
        EXPECT_LE(low[part].amount, mid[part].amount);
        EXPECT_LE(mid[part].amount, high[part].amount);
    }
}

TEST(SlotCount, OneToSixtyFour) {
    EXPECT_NO_THROW(require_slot_count(1));
    EXPECT_NO_THROW(require_slot_count(64));
    EXPECT_THROWS_KIND(require_slot_count(0), ErrorKind::invalid_parameter);
    EXPECT_THROWS_KIND(require_slot_count(65), ErrorKind::invalid_parameter);
}

TEST(PlanBatch, AppliesInOrderAndVersionsEachSlot) {
    std::map<std::int64_t, LockedAccount> accounts;
    accounts[1] = whole(1, {slot(0, "10.00 USD", parse("0 USD"), std::nullopt, 3)});
    accounts[2] = whole(2, {slot(0, "0.00 USD", parse("0 USD"))});
    const BatchPlan plan = plan_batch({item(1, 2, "4.00 USD"), item(2, 1, "1.00 USD")},
                                      {false, false}, accounts, true);
    ASSERT_EQ(plan.postings.size(), 2U);
    EXPECT_EQ(plan.postings[0].debit.version, 4);
    EXPECT_EQ(plan.postings[0].debit.balance_after, parse("6.00 USD"));
    EXPECT_EQ(plan.postings[1].credit.version, 5);
    EXPECT_EQ(plan.postings[1].credit.balance_after, parse("7.00 USD"));
    EXPECT_EQ(plan.postings[1].debit.balance_after, parse("3.00 USD"));
    ASSERT_EQ(plan.updates.size(), 2U);
}

TEST(PlanBatch, NamesTheRefusedItem) {
    std::map<std::int64_t, LockedAccount> accounts;
    accounts[1] = whole(1, {slot(0, "10.00 USD", parse("0 USD"))});
    accounts[2] = whole(2, {slot(0, "0.00 USD", parse("0 USD"))});
    try {
        plan_batch({item(1, 2, "6.00 USD"), item(1, 2, "6.00 USD")}, {false, false}, accounts,
                   true);
        FAIL() << "the second item overdraws account 1";
    } catch (const MoneyError &error) {
        EXPECT_EQ(error.kind(), ErrorKind::insufficient_funds);
        EXPECT_EQ(std::string(error.what()).rfind("item 2: ", 0), 0U) << error.what();
    }
}

TEST(PlanBatch, GathersASplitAccountAndSpreadsItEvenlyAfter) {
    // 10.00 over three slots, min 0: no slot alone can pay 9.00, the account can.
    std::map<std::int64_t, LockedAccount> accounts;
    accounts[1] = whole(1, {slot(0, "3.34 USD", parse("0 USD")), slot(1, "3.33 USD", parse("0 USD")),
                            slot(2, "3.33 USD", parse("0 USD"))});
    accounts[2] = whole(2, {slot(0, "0.00 USD", std::nullopt)});
    const BatchPlan plan = plan_batch({item(1, 2, "9.00 USD")}, {false}, accounts, false);
    // Slots 1 and 2 pay their surplus into slot 0, which then pays 9.00: 0.34 / 0.33 / 0.33.
    ASSERT_EQ(plan.postings.size(), 3U);
    EXPECT_EQ(plan.postings[0].from_account, 1);
    EXPECT_EQ(plan.postings[0].to_account, 1);
    EXPECT_EQ(plan.postings[0].amount, parse("3.00 USD"));
    EXPECT_EQ(plan.postings[2].item, 0);
    EXPECT_EQ(plan.posting_of_item[0], 2);
    Money total = parse("0 USD");
    for (const SlotUpdate &update : plan.updates) {
        if (update.account == 1) {
            total = add(total, update.after.balance);
            EXPECT_TRUE(update.after.balance.amount == 34 || update.after.balance.amount == 33);
        }
    }
    EXPECT_EQ(total, parse("1.00 USD"));
}

TEST(PlanBatch, RefusesExactlyOnTheWholeBalance) {
    std::map<std::int64_t, LockedAccount> accounts;
    accounts[1] = whole(1, {slot(0, "5.00 USD", parse("0 USD")), slot(1, "5.00 USD", parse("0 USD"))});
    accounts[2] = whole(2, {slot(0, "0.00 USD", std::nullopt)});
    EXPECT_THROWS_KIND(plan_batch({item(1, 2, "10.01 USD")}, {false}, accounts, false),
                       ErrorKind::insufficient_funds);
    EXPECT_NO_THROW(plan_batch({item(1, 2, "10.00 USD")}, {false}, accounts, false));
}

TEST(PlanBatch, RefusesVersionsOnSplitAccounts) {
    std::map<std::int64_t, LockedAccount> accounts;
    accounts[1] = whole(1, {slot(0, "5.00 USD", parse("0 USD")), slot(1, "5.00 USD", parse("0 USD"))});
    accounts[2] = whole(2, {slot(0, "0.00 USD", std::nullopt)});
    TransferItem versioned = item(1, 2, "1.00 USD");
    versioned.expected = ExpectedVersion{1, 0};
    EXPECT_THROWS_KIND(plan_batch({versioned}, {false}, accounts, false), ErrorKind::split_account);
}

}  // namespace
}  // namespace ledger_test
