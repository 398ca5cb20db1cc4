// Posting under the 1.1 SQL objects: every transfer(), deposit(), withdraw() and transfer_many()
// locks the slots it needs, in ascending account id, checks keys and limits in memory, and
// writes each touched slot once and the log in bulk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../core/batch.hpp"
#include "postgres_headers.hpp"

namespace ledger::pg {

// The most transfers one transfer_many() call may carry.
constexpr std::size_t kMaxBatchItems = 10000;

struct PostingBatch {
    std::vector<TransferItem> items;
    std::vector<std::optional<std::string>> keys;  // empty, or one per item
    std::vector<Datum> metadata;                   // jsonb, valid while the call lasts
    std::vector<bool> has_metadata;
    bool numbered = false;  // refusals name their item: transfer_many
};

// Applies the batch, all or nothing; returns one transfer id per item (an earlier transfer's for
// a key used before with the same arguments).
std::vector<std::int64_t> post_batch(const PostingBatch &batch);

// The new states of slots as array parameters, one element per update: account ids, slot
// numbers, balances, versions, min shares and max shares (NULL elements where absent).
struct SlotColumns {
    Datum accounts;
    Datum slots;
    Datum balances;
    Datum versions;
    Datum min_shares;
    Datum max_shares;
};
SlotColumns slot_columns(const std::vector<SlotUpdate> &updates);

// Writes postings the ledger makes on its own (money moved between the slots of one account):
// ids drawn in order, transfers and entries inserted. Slot rows are the caller's to update.
void write_slot_moves(const std::vector<PlannedPosting> &moves);

// The external account of an account's currency. Throws unknown_account, or external_account
// when the account is itself external.
std::int64_t external_account_of(std::int64_t account);

}  // namespace ledger::pg
