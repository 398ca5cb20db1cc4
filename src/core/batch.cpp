#include "batch.hpp"

#include <set>
#include <string>
#include <utility>

#include "error.hpp"
#include "invariant.hpp"

namespace ledger {
namespace {

enum class Side { pays, receives };

// Where one side of one transfer lands.
struct Choice {
    std::int64_t account = 0;
    std::size_t held_index = 0;  // into LockedAccount::held
};

bool is_gathered(const LockedAccount &account) {
    return account.all_held && account.slots_in_use > 1;
}

std::optional<Money> sum_of(const std::vector<SlotState> &slots, bool minimum) {
    std::optional<Money> total;
    for (const SlotState &slot : slots) {
        const std::optional<Money> &share = minimum ? slot.min_share : slot.max_share;
        if (share) {
            total = total ? add(*total, *share) : *share;
        }
    }
    return total;
}

Money balance_of(const std::vector<SlotState> &slots) {
    LEDGER_INVARIANT(!slots.empty());
    Money total = slots.front().balance;
    for (std::size_t index = 1; index < slots.size(); ++index) {
        total = add(total, slots[index].balance);
    }
    return total;
}

void require_may_take_part(const LockedAccount &account, const TransferItem &item) {
    if (account.external && account.id != item.external_side) {
        throw MoneyError(ErrorKind::external_account,
                         "account " + std::to_string(account.id) + " is an external account",
                         "Move money in and out with ledger.deposit() and ledger.withdraw().");
    }
}

class Planner {
  public:
    Planner(std::map<std::int64_t, LockedAccount> accounts) : accounts_(std::move(accounts)) {
        for (auto &[id, account] : accounts_) {
            LEDGER_INVARIANT(!account.held.empty());
            LEDGER_INVARIANT(!account.all_held ||
                             static_cast<int>(account.held.size()) == account.slots_in_use);
            if (is_gathered(account)) {
                totals_.emplace(id, balance_of(account.held));
            }
        }
    }

    // Checks one transfer against the accounts as the transfers before it left them, and
    // records where each side lands.
    std::pair<Choice, Choice> check(const TransferItem &item) {
        require_positive(item.amount);
        if (item.from_account == item.to_account) {
            throw MoneyError(
                ErrorKind::same_account,
                "cannot transfer from account " + std::to_string(item.from_account) + " to itself");
        }
        LockedAccount &from = account(item.from_account);
        LockedAccount &to = account(item.to_account);
        require_may_take_part(from, item);
        require_may_take_part(to, item);
        if (item.expected) {
            const LockedAccount &checked = account(item.expected->account_id);
            if (checked.slots_in_use > 1) {
                throw MoneyError(
                    ErrorKind::split_account,
                    "expected_version cannot be checked on account " + std::to_string(checked.id) +
                        ", which is split into slots",
                    "Merge the account with ledger.merge_account() to use versions.",
                    "The account has " + std::to_string(checked.slots_in_use) + " slots.");
            }
        }
        const Choice paying = choose(from, Side::pays, item.amount);
        const Choice receiving = choose(to, Side::receives, item.amount);
        const PlannedTransfer planned =
            plan_transfer(view(from, paying), view(to, receiving), item.amount, item.expected);
        settle(from, paying, planned.from_after.balance);
        settle(to, receiving, planned.to_after.balance);
        return {paying, receiving};
    }

    std::map<std::int64_t, LockedAccount> &accounts() { return accounts_; }
    const std::map<std::int64_t, Money> &gathered_totals() const { return totals_; }
    bool touched(std::int64_t id) const { return touched_.count(id) != 0; }

  private:
    LockedAccount &account(std::int64_t id) {
        const auto found = accounts_.find(id);
        LEDGER_INVARIANT(found != accounts_.end());
        return found->second;
    }

    // A gathered account takes everything in its first slot; any other, a held slot that can.
    Choice choose(const LockedAccount &account, Side side, const Money &amount) const {
        if (account.all_held || account.held.front().balance.currency != amount.currency) {
            return {account.id, 0};  // the currency check in plan_transfer speaks first
        }
        for (std::size_t index = 0; index < account.held.size(); ++index) {
            const SlotState &slot = account.held[index];
            if (side == Side::pays ? slot_can_pay(slot, amount) : slot_can_receive(slot, amount)) {
                return {account.id, index};
            }
        }
        // The glue locks, for an account split into slots, a slot that can take the transfer or
        // every slot.
        throw MoneyError(
            ErrorKind::internal,
            "no locked slot of account " + std::to_string(account.id) + " can take the transfer");
    }

    // The account as the transfer's checks see it: the whole account when all of it is held,
    // else the chosen slot within its share.
    AccountState view(const LockedAccount &account, const Choice &choice) const {
        if (is_gathered(account)) {
            return AccountState{account.id,
                                totals_.at(account.id),
                                sum_of(account.held, true),
                                sum_of(account.held, false),
                                0,
                                account.external};
        }
        const SlotState &slot = account.held[choice.held_index];
        return AccountState{account.id,     slot.balance, slot.min_share,
                            slot.max_share, slot.version, account.external};
    }

    void settle(LockedAccount &account, const Choice &choice, const Money &after) {
        touched_.insert(account.id);
        if (is_gathered(account)) {
            totals_.at(account.id) = after;
            return;
        }
        // A slot of n holds at most the n-th part of what an amount can be, so that the
        // account's total stays representable however its slots are filled.
        if (account.slots_in_use > 1 &&
            absolute(after).amount > max_minor_units() / account.slots_in_use) {
            throw MoneyError(ErrorKind::out_of_range,
                             "account " + std::to_string(account.id) +
                                 " would hold more than ledger.monetary can represent",
                             "Merge the account with ledger.merge_account() to use the whole "
                             "range in one slot.");
        }
        account.held[choice.held_index].balance = after;
    }

    std::map<std::int64_t, LockedAccount> accounts_;
    std::map<std::int64_t, Money> totals_;  // running balance of each gathered account
    std::set<std::int64_t> touched_;
};

PlannedEntry next_entry(std::int64_t account, SlotState &slot, const Money &amount) {
    slot.balance = add(slot.balance, amount);
    slot.version += 1;
    return PlannedEntry{account, slot.slot, slot.version, amount, slot.balance};
}

PlannedPosting move(std::int64_t account, SlotState &from, SlotState &to, const Money &amount) {
    LEDGER_INVARIANT(amount.amount > 0 && from.slot != to.slot);
    PlannedPosting posting;
    posting.from_account = account;
    posting.to_account = account;
    posting.amount = amount;
    posting.debit = next_entry(account, from, negate(amount));
    posting.credit = next_entry(account, to, amount);
    return posting;
}

}  // namespace

void plan_direct_moves(std::int64_t account, std::vector<SlotState> &slots,
                       const std::vector<Money> &target, std::vector<PlannedPosting> &out) {
    LEDGER_INVARIANT(slots.size() == target.size());
    std::size_t giver = 0;
    std::size_t taker = 0;
    for (;;) {
        while (giver < slots.size() && compare(slots[giver].balance, target[giver]) <= 0) {
            ++giver;
        }
        while (taker < slots.size() && compare(slots[taker].balance, target[taker]) >= 0) {
            ++taker;
        }
        if (giver == slots.size() || taker == slots.size()) {
            break;
        }
        const Money surplus = subtract(slots[giver].balance, target[giver]);
        const Money deficit = subtract(target[taker], slots[taker].balance);
        const Money amount = compare(surplus, deficit) <= 0 ? surplus : deficit;
        out.push_back(move(account, slots[giver], slots[taker], amount));
    }
    for (std::size_t index = 0; index < slots.size(); ++index) {
        LEDGER_INVARIANT(equal(slots[index].balance, target[index]));
    }
}

void plan_slot_moves(std::int64_t account, std::vector<SlotState> &slots, std::size_t hub,
                     const std::vector<Money> &target, std::vector<PlannedPosting> &out,
                     bool into_hub) {
    LEDGER_INVARIANT(slots.size() == target.size() && hub < slots.size());
    for (std::size_t index = 0; index < slots.size(); ++index) {
        if (index == hub) {
            continue;
        }
        const Money surplus = subtract(slots[index].balance, target[index]);
        if (into_hub && surplus.amount > 0) {
            out.push_back(move(account, slots[index], slots[hub], surplus));
        } else if (!into_hub && surplus.amount < 0) {
            out.push_back(move(account, slots[hub], slots[index], negate(surplus)));
        }
    }
}

BatchPlan plan_batch(const std::vector<TransferItem> &items, const std::vector<bool> &skip,
                     std::map<std::int64_t, LockedAccount> accounts, bool numbered) {
    LEDGER_INVARIANT(skip.size() == items.size());
    // The balances the checks run against; `accounts` keeps the states to write from.
    Planner planner(accounts);
    std::vector<std::pair<Choice, Choice>> choices(items.size());
    for (std::size_t index = 0; index < items.size(); ++index) {
        if (skip[index]) {
            continue;
        }
        try {
            choices[index] = planner.check(items[index]);
        } catch (const MoneyError &error) {
            if (!numbered) {
                throw;
            }
            throw MoneyError(error.kind(),
                             "item " + std::to_string(index + 1) + ": " + error.what(),
                             error.hint(), error.detail());
        }
    }

    BatchPlan plan;
    plan.posting_of_item.assign(items.size(), -1);
    // A gathered account ends evenly spread, with even shares of its limits: first the slots
    // holding more than their new part pay the surplus into slot 0, then the transfers, then
    // slot 0 pays the others what they lack.
    std::map<std::int64_t, std::vector<Money>> targets;
    for (const auto &[id, total] : planner.gathered_totals()) {
        if (!planner.touched(id)) {
            continue;
        }
        LockedAccount &account = accounts.at(id);
        const int count = account.slots_in_use;
        const std::vector<std::optional<Money>> minimums =
            even_limit_parts(sum_of(account.held, true), count);
        const std::vector<std::optional<Money>> maximums =
            even_limit_parts(sum_of(account.held, false), count);
        for (int slot = 0; slot < count; ++slot) {
            account.held[slot].min_share = minimums[slot];
            account.held[slot].max_share = maximums[slot];
        }
        targets[id] = even_parts(total, count);
        plan_slot_moves(id, account.held, 0, targets[id], plan.postings, true);
    }
    for (std::size_t index = 0; index < items.size(); ++index) {
        if (skip[index]) {
            continue;
        }
        const TransferItem &item = items[index];
        const auto &[paying, receiving] = choices[index];
        LockedAccount &from = accounts.at(item.from_account);
        LockedAccount &to = accounts.at(item.to_account);
        PlannedPosting posting;
        posting.item = static_cast<int>(index);
        posting.from_account = item.from_account;
        posting.to_account = item.to_account;
        posting.amount = item.amount;
        posting.debit = next_entry(from.id, from.held[paying.held_index], negate(item.amount));
        posting.credit = next_entry(to.id, to.held[receiving.held_index], item.amount);
        plan.posting_of_item[index] = static_cast<int>(plan.postings.size());
        plan.postings.push_back(posting);
    }
    for (auto &[id, target] : targets) {
        LockedAccount &account = accounts.at(id);
        plan_slot_moves(id, account.held, 0, target, plan.postings, false);
        for (std::size_t slot = 0; slot < account.held.size(); ++slot) {
            LEDGER_INVARIANT(equal(account.held[slot].balance, target[slot]));
        }
    }

    for (const auto &[id, account] : accounts) {
        const LockedAccount &before = planner.accounts().at(id);
        const bool reshared = targets.count(id) != 0;
        for (std::size_t index = 0; index < account.held.size(); ++index) {
            const SlotState &slot = account.held[index];
            if (!reshared && slot.version == before.held[index].version) {
                continue;
            }
            // Each slot ends within its share: what keeps the account within its limits.
            LEDGER_INVARIANT(slot_can_pay(slot, Money{0, slot.balance.currency}));
            LEDGER_INVARIANT(slot_can_receive(slot, Money{0, slot.balance.currency}));
            plan.updates.push_back(SlotUpdate{id, slot});
        }
    }
    return plan;
}

}  // namespace ledger
