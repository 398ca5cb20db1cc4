// Transfers applied in memory to locked slots: given what the glue layer has locked, the rows
// to write, or the refusal of the first transfer that cannot be made. A single transfer() is a
// batch of one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "money.hpp"
#include "posting.hpp"
#include "slots.hpp"

namespace ledger {

struct TransferItem {
    std::int64_t from_account = 0;
    std::int64_t to_account = 0;
    Money amount;
    std::optional<ExpectedVersion> expected;  // single calls only
    std::int64_t external_side = 0;           // the one account allowed to be external (0: none)
};

// One account as locked for the batch.
struct LockedAccount {
    std::int64_t id = 0;
    bool external = false;
    int slots_in_use = 1;
    // Every slot in use is locked: decisions are exact on the whole balance. Otherwise the held
    // slots are the ones the glue found able to take the account's side of every transfer.
    bool all_held = false;
    std::vector<SlotState> held;  // ascending slot numbers; retired slots left out
};

struct PlannedEntry {
    std::int64_t account = 0;
    std::int16_t slot = 0;
    std::int64_t version = 0;
    Money amount;  // negative on the paying side
    Money balance_after;
};

// One row of ledger.transfers with its two entries. item is the transfer's index in the batch,
// or -1 for money the ledger moves between two slots of one account.
struct PlannedPosting {
    int item = -1;
    std::int64_t from_account = 0;
    std::int64_t to_account = 0;
    Money amount;
    PlannedEntry debit;
    PlannedEntry credit;
};

struct SlotUpdate {
    std::int64_t account = 0;
    SlotState after;
};

struct BatchPlan {
    std::vector<PlannedPosting> postings;  // in the order their ids must be drawn
    std::vector<SlotUpdate> updates;       // each touched slot once, final state
    std::vector<int> posting_of_item;      // index into postings, or -1 for an item not applied
};

// Applies `items` in order (those with skip[i] set are not applied: earlier transfers with the
// same key). An account that is split and fully held is first gathered into one slot, takes its
// transfers there against its whole limits, and ends evenly spread over its slots again.
// Refusals are thrown as MoneyError; with `numbered`, the message starts "item N: " (1-based).
BatchPlan plan_batch(const std::vector<TransferItem> &items, const std::vector<bool> &skip,
                     std::map<std::int64_t, LockedAccount> accounts, bool numbered);

// The postings that move an account's money from its current slots to `target` balances
// (same slot order), out of slots that hold too much into `hub` and from `hub` to slots that
// hold too little; appended to `out` in that order, entries versioned from `slots`.
void plan_slot_moves(std::int64_t account, std::vector<SlotState> &slots, std::size_t hub,
                     const std::vector<Money> &target, std::vector<PlannedPosting> &out,
                     bool into_hub);

// The same without a hub: each move goes from a slot above its target to one below, so every
// slot's balance moves only towards its target and never leaves the range between the two.
void plan_direct_moves(std::int64_t account, std::vector<SlotState> &slots,
                       const std::vector<Money> &target, std::vector<PlannedPosting> &out);

}  // namespace ledger
