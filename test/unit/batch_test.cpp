// Slots and batches: even parts are exact and monotone, a batch applies its transfers in order
// with every check, and an account gathered from its slots ends evenly spread, within its shares.
#include <gtest/gtest.h>

#include <random>

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
    accounts[1] =
        whole(1, {slot(0, "3.34 USD", parse("0 USD")), slot(1, "3.33 USD", parse("0 USD")),
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
    accounts[1] =
        whole(1, {slot(0, "5.00 USD", parse("0 USD")), slot(1, "5.00 USD", parse("0 USD"))});
    accounts[2] = whole(2, {slot(0, "0.00 USD", std::nullopt)});
    EXPECT_THROWS_KIND(plan_batch({item(1, 2, "10.01 USD")}, {false}, accounts, false),
                       ErrorKind::insufficient_funds);
    EXPECT_NO_THROW(plan_batch({item(1, 2, "10.00 USD")}, {false}, accounts, false));
}

TEST(PlanBatch, RefusesVersionsOnSplitAccounts) {
    std::map<std::int64_t, LockedAccount> accounts;
    accounts[1] =
        whole(1, {slot(0, "5.00 USD", parse("0 USD")), slot(1, "5.00 USD", parse("0 USD"))});
    accounts[2] = whole(2, {slot(0, "0.00 USD", std::nullopt)});
    TransferItem versioned = item(1, 2, "1.00 USD");
    versioned.expected = ExpectedVersion{1, 0};
    EXPECT_THROWS_KIND(plan_batch({versioned}, {false}, accounts, false), ErrorKind::split_account);
}

}  // namespace
}  // namespace ledger_test

namespace ledger_test {
namespace {

using namespace ledger;

// Random batches over random split accounts, fixed seed: whenever plan_batch accepts a batch,
// no minor unit is made or lost, every chain is exact and every slot ends within its share;
// whenever it refuses, the refusal is one a caller can cause.
TEST(PlanBatch, RandomBatchesKeepEveryPromise) {
    std::mt19937_64 random(20261201);
    const auto units = [&](std::int64_t low, std::int64_t high) {
        return std::uniform_int_distribution<std::int64_t>(low, high)(random);
    };
    const Currency usd = parse("0 USD").currency;
    const auto usd_of = [&](std::int64_t cents) { return Money{MinorUnits(cents), usd}; };
    int accepted = 0;
    for (int round = 0; round < 300; ++round) {
        std::map<std::int64_t, LockedAccount> accounts;
        std::map<std::int64_t, MinorUnits> before;
        for (std::int64_t id = 1; id <= 4; ++id) {
            const int slots = static_cast<int>(units(1, 4));
            const std::optional<Money> min_balance =
                units(0, 3) == 0 ? std::nullopt : std::optional(usd_of(-units(0, 500)));
            const std::optional<Money> max_balance =
                units(0, 2) == 0 ? std::optional(usd_of(units(500, 3000))) : std::nullopt;
            const std::int64_t low =
                min_balance ? static_cast<std::int64_t>(min_balance->amount) : -2000;
            const std::int64_t high =
                max_balance ? static_cast<std::int64_t>(max_balance->amount) : 2000;
            const std::vector<Money> balances = even_parts(usd_of(units(low, high)), slots);
            const auto mins = even_limit_parts(min_balance, slots);
            const auto maxes = even_limit_parts(max_balance, slots);
            LockedAccount account;
            account.id = id;
            account.slots_in_use = slots;
            account.all_held = true;
            for (int slot = 0; slot < slots; ++slot) {
                account.held.push_back(SlotState{static_cast<std::int16_t>(slot), balances[slot],
                                                 mins[slot], maxes[slot], units(0, 5)});
                before[id] += balances[slot].amount;
            }
            accounts[id] = account;
        }
        std::vector<TransferItem> items;
        for (int count = static_cast<int>(units(1, 6)); count > 0; --count) {
            TransferItem item;
            item.from_account = units(1, 4);
            item.to_account = item.from_account % 4 + 1;
            item.amount = usd_of(units(1, 900));
            items.push_back(item);
        }
        BatchPlan plan;
        try {
            plan = plan_batch(items, std::vector<bool>(items.size(), false), accounts, true);
        } catch (const MoneyError &error) {
            EXPECT_TRUE(error.kind() == ErrorKind::insufficient_funds ||
                        error.kind() == ErrorKind::above_max_balance)
                << error.what();
            continue;
        }
        ++accepted;
        std::map<std::int64_t, MinorUnits> expected = before;
        for (const TransferItem &item : items) {
            expected[item.from_account] -= item.amount.amount;
            expected[item.to_account] += item.amount.amount;
        }
        // Replay the postings on the starting slots: each entry continues its slot's chain.
        std::map<std::pair<std::int64_t, int>, SlotState> replay;
        for (const auto &[id, account] : accounts) {
            for (const SlotState &slot : account.held) {
                replay[{id, slot.slot}] = slot;
            }
        }
        for (const PlannedPosting &posting : plan.postings) {
            EXPECT_EQ(posting.debit.amount.amount, -posting.amount.amount);
            EXPECT_EQ(posting.credit.amount.amount, posting.amount.amount);
            EXPECT_GT(posting.amount.amount, 0);
            for (const PlannedEntry *entry : {&posting.debit, &posting.credit}) {
                SlotState &slot = replay.at({entry->account, entry->slot});
                slot.balance = add(slot.balance, entry->amount);
                slot.version += 1;
                EXPECT_EQ(entry->version, slot.version);
                EXPECT_EQ(entry->balance_after, slot.balance);
            }
        }
        std::map<std::int64_t, MinorUnits> after;
        for (const auto &[key, slot] : replay) {
            after[key.first] += slot.balance.amount;
        }
        EXPECT_EQ(after, expected);
        for (const SlotUpdate &update : plan.updates) {
            const SlotState &slot = replay.at({update.account, update.after.slot});
            EXPECT_EQ(update.after.balance, slot.balance);
            EXPECT_EQ(update.after.version, slot.version);
            EXPECT_TRUE(slot_can_pay(update.after, usd_of(0)));
            EXPECT_TRUE(slot_can_receive(update.after, usd_of(0)));
        }
    }
    EXPECT_GT(accepted, 50);
}

}  // namespace
}  // namespace ledger_test
