#include "batch_posting.hpp"

#include <algorithm>
#include <cstring>
#include <tuple>
#include <map>
#include <unordered_map>

#include "../core/error.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"
#include "slot_locks.hpp"
#include "spi.hpp"
#include "write_scope.hpp"

namespace ledger::pg {
namespace {

SavedStatement g_find_external(
    "SELECT a.is_external, e.id FROM ledger.accounts a "
    "LEFT JOIN ledger.accounts e ON e.is_external AND e.currency = a.currency WHERE a.id = $1",
    {INT8OID});
// The amounts are compared in C++, as bytes: see earlier_transfers().
SavedStatement g_find_keys(
    "SELECT u.item::int, t.id, t.from_account = u.from_account AND t.to_account = u.to_account "
    "AND t.metadata IS NOT DISTINCT FROM u.metadata, t.amount "
    "FROM unnest($1::text[], $2::int8[], $3::int8[], $4::jsonb[]) "
    "WITH ORDINALITY AS u(key, from_account, to_account, metadata, item) "
    "JOIN ledger.transfers t ON t.idempotency_key = u.key AND t.idempotency_key IS NOT NULL",
    {TEXTARRAYOID, INT8ARRAYOID, INT8ARRAYOID, JSONBARRAYOID});
SavedStatement g_insert_transfer(
    "INSERT INTO ledger.transfers (from_account, to_account, amount, idempotency_key, metadata) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL "
    "DO NOTHING RETURNING id",
    {INT8OID, INT8OID, SavedStatement::monetary, TEXTOID, JSONBOID});
// Ids are drawn while every touched slot is locked, in the order of the postings: within each
// slot's chain, later versions then always have larger transfer ids.
SavedStatement g_draw_ids(
    "SELECT nextval('ledger.transfers_id_seq'::regclass) FROM generate_series(1, $1)", {INT4OID});
SavedStatement g_insert_transfers(
    "INSERT INTO ledger.transfers (id, from_account, to_account, amount, idempotency_key, "
    "metadata) SELECT * FROM unnest($1::int8[], $2::int8[], $3::int8[], $4, $5::text[], "
    "$6::jsonb[]) ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING",
    {INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, SavedStatement::monetary_array, TEXTARRAYOID,
     JSONBARRAYOID});
SavedStatement g_insert_two_entries(
    "INSERT INTO ledger.entries (account_id, slot, account_version, transfer_id, amount, "
    "balance_after) VALUES ($1, $2, $3, $11, $4, $5), ($6, $7, $8, $11, $9, $10)",
    {INT8OID, INT2OID, INT8OID, SavedStatement::monetary, SavedStatement::monetary, INT8OID,
     INT2OID, INT8OID, SavedStatement::monetary, SavedStatement::monetary, INT8OID});
SavedStatement g_insert_entries(
    "INSERT INTO ledger.entries (account_id, slot, account_version, transfer_id, amount, "
    "balance_after) SELECT * FROM unnest($1::int8[], $2::int2[], $3::int8[], $4::int8[], $5, $6)",
    {INT8ARRAYOID, INT2ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, SavedStatement::monetary_array,
     SavedStatement::monetary_array});
SavedStatement g_update_slot(
    "UPDATE ledger.balances SET balance = $3, version = $4, min_share = $5, max_share = $6 "
    "WHERE account_id = $1 AND slot = $2",
    {INT8OID, INT2OID, SavedStatement::monetary, INT8OID, SavedStatement::monetary,
     SavedStatement::monetary});
SavedStatement g_update_slots(
    "UPDATE ledger.balances b SET balance = u.balance, version = u.version, "
    "min_share = u.min_share, max_share = u.max_share "
    "FROM unnest($1::int8[], $2::int2[], $3, $4::int8[], $5, $6) "
    "AS u(account_id, slot, balance, version, min_share, max_share) "
    "WHERE b.account_id = u.account_id AND b.slot = u.slot",
    {INT8ARRAYOID, INT2ARRAYOID, SavedStatement::monetary_array, INT8ARRAYOID,
     SavedStatement::monetary_array, SavedStatement::monetary_array});

// Up to this many accounts are locked with a statement each; more, in runs (lock_accounts).
constexpr std::size_t kOneByOneAccounts = 4;

// A user account's external account never changes: asked once per backend.
std::unordered_map<std::int64_t, std::int64_t> g_external_of;
Oid g_external_for = InvalidOid;  // the ledger.monetary the map was made under
constexpr std::size_t kMaxRemembered = 65536;

MoneyError numbered_error(const PostingBatch &batch, std::size_t index, const MoneyError &error) {
    if (!batch.numbered) {
        return error;
    }
    return MoneyError(error.kind(), "item " + std::to_string(index + 1) + ": " + error.what(),
                      error.hint(), error.detail());
}

MoneyError unknown_account(std::int64_t account) {
    return MoneyError(ErrorKind::unknown_account,
                      "account " + std::to_string(account) + " does not exist");
}

void require_distinct_keys(const PostingBatch &batch) {
    std::unordered_map<std::string, std::size_t> first_use;
    for (std::size_t index = 0; index < batch.keys.size(); ++index) {
        if (!batch.keys[index]) {
            continue;
        }
        const auto [earlier, inserted] = first_use.emplace(*batch.keys[index], index);
        if (!inserted) {
            throw numbered_error(
                batch, index,
                MoneyError(ErrorKind::idempotency_conflict,
                           "idempotency key \"" + *batch.keys[index] + "\" is also item " +
                               std::to_string(earlier->second + 1) + "'s",
                           "Give each transfer of a batch its own key."));
        }
    }
}

// Locks, in ascending account id, what every account of the batch needs.
std::map<std::int64_t, LockedAccount> lock_accounts(const PostingBatch &batch) {
    std::map<std::int64_t, SlotDemand> demands;
    std::map<std::int64_t, std::size_t> first_item;
    std::map<std::int64_t, int> uses;
    for (std::size_t index = 0; index < batch.items.size(); ++index) {
        const TransferItem &item = batch.items[index];
        demands[item.from_account].pays = true;
        demands[item.to_account].receives = true;
        for (const std::int64_t account : {item.from_account, item.to_account}) {
            first_item.emplace(account, index);
            demands[account].only_amount =
                ++uses[account] == 1 ? std::optional(item.amount) : std::nullopt;
        }
    }
    std::map<std::int64_t, LockedAccount> locked;
    const auto lock_one_by_one = [&](std::int64_t account, const SlotDemand &demand) {
        std::optional<LockedAccount> slots = lock_slots(account, demand);
        if (!slots) {
            throw numbered_error(batch, first_item.at(account), unknown_account(account));
        }
        locked.emplace(account, std::move(*slots));
    };
    if (demands.size() <= kOneByOneAccounts) {
        for (const auto &[account, demand] : demands) {
            lock_one_by_one(account, demand);
        }
        return locked;
    }
    // Many accounts: each run of accounts with one slot is locked by one statement, still in
    // ascending id; split accounts one by one between the runs.
    std::vector<std::int64_t> accounts;
    for (const auto &[account, demand] : demands) {
        accounts.push_back(account);
    }
    learn_slots(accounts);
    std::vector<std::int64_t> run;
    std::vector<SlotDemand> run_demands;
    const auto lock_run = [&]() {
        if (run.empty()) {
            return;
        }
        for (LockedAccount &account : lock_first_slots(run, run_demands)) {
            locked.emplace(account.id, std::move(account));
        }
        for (const std::int64_t account : run) {
            if (locked.count(account) == 0) {
                throw numbered_error(batch, first_item.at(account), unknown_account(account));
            }
        }
        run.clear();
        run_demands.clear();
    };
    for (const auto &[account, demand] : demands) {
        if (has_one_slot(account)) {
            run.push_back(account);
            run_demands.push_back(demand);
            continue;
        }
        lock_run();
        lock_one_by_one(account, demand);
    }
    lock_run();
    return locked;
}

// Items whose key made a transfer before: skipped, answered with that transfer's id. Throws
// idempotency_conflict for a key used with other arguments.
void earlier_transfers(const PostingBatch &batch, std::vector<bool> &skip,
                       std::vector<std::int64_t> &ids) {
    std::vector<std::int64_t> from(batch.items.size());
    std::vector<std::int64_t> to(batch.items.size());
    for (std::size_t index = 0; index < batch.items.size(); ++index) {
        from[index] = batch.items[index].from_account;
        to[index] = batch.items[index].to_account;
    }
    const Datum values[4] = {text_array(batch.keys), int8_array(from), int8_array(to),
                             jsonb_array(batch.metadata, batch.has_metadata)};
    const std::uint64_t rows = g_find_keys.run(values, nullptr);
    for (std::uint64_t row = 0; row < rows; ++row) {
        const auto index = static_cast<std::size_t>(
            pg_call([row]() noexcept {
                bool is_null = false;
                return DatumGetInt32(
                    SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1, &is_null));
            }) -
            1);
        const MonetaryDatum earlier_amount = monetary_column(row, 4);
        const MonetaryDatum amount = to_datum(batch.items[index].amount);
        const bool same_amount = std::memcmp(&earlier_amount, &amount, sizeof(MonetaryDatum)) == 0;
        if (!bool_column(row, 3) || !same_amount) {
            throw numbered_error(
                batch, index,
                MoneyError(ErrorKind::idempotency_conflict,
                           "idempotency key \"" + *batch.keys[index] +
                               "\" was already used with other arguments",
                           "Use a new key for a new transfer.",
                           "The key made transfer " + std::to_string(int64_column(row, 2)) + "."));
        }
        skip[index] = true;
        ids[index] = int64_column(row, 2);
    }
}

// The one transfer of a call with no slot moves; nullopt when a concurrent call with the same
// key committed first (nothing has been written).
std::optional<std::int64_t> insert_one_transfer(const PostingBatch &batch,
                                                const PlannedPosting &posting) {
    const std::size_t index = static_cast<std::size_t>(posting.item);
    const std::optional<std::string> key = batch.keys.empty() ? std::nullopt : batch.keys[index];
    const MonetaryDatum amount = to_datum(posting.amount);
    const Datum values[5] = {Int64GetDatum(posting.from_account), Int64GetDatum(posting.to_account),
                             monetary_param(amount), key ? text_param(*key) : Datum(0),
                             batch.metadata[index]};
    const char nulls[5] = {' ', ' ', ' ', key ? ' ' : 'n', batch.has_metadata[index] ? ' ' : 'n'};
    if (g_insert_transfer.run(values, nulls) == 0) {
        return std::nullopt;
    }
    return int64_column(0, 1);
}

// Ids are drawn before the rows are inserted. The transfers table is locked first, as the
// insert would, so that a lock that waits for every writer of transfers (the change feed's
// resynchronization, feed_resync) also waits for a call that holds ids it has not inserted yet.
std::vector<std::int64_t> draw_ids(std::size_t count) {
    pg_call([]() noexcept {
        const Oid transfers = get_relname_relid("transfers", get_namespace_oid("ledger", false));
        LockRelationOid(transfers, RowExclusiveLock);
    });
    const Datum values[1] = {Int32GetDatum(static_cast<std::int32_t>(count))};
    const std::uint64_t rows = g_draw_ids.run(values, nullptr);
    std::vector<std::int64_t> ids(rows);
    for (std::uint64_t row = 0; row < rows; ++row) {
        ids[row] = int64_column(row, 1);
    }
    return ids;
}

// False when a concurrent call committed a transfer with one of the keys first.
bool insert_transfers(const PostingBatch &batch, const BatchPlan &plan,
                      const std::vector<std::int64_t> &ids) {
    const std::size_t count = plan.postings.size();
    std::vector<std::int64_t> from(count);
    std::vector<std::int64_t> to(count);
    std::vector<MonetaryDatum> amounts(count);
    std::vector<std::optional<std::string>> keys(count);
    std::vector<Datum> metadata(count, Datum(0));
    std::vector<bool> has_metadata(count, false);
    for (std::size_t row = 0; row < count; ++row) {
        const PlannedPosting &posting = plan.postings[row];
        from[row] = posting.from_account;
        to[row] = posting.to_account;
        amounts[row] = to_datum(posting.amount);
        if (posting.item >= 0) {
            const auto index = static_cast<std::size_t>(posting.item);
            keys[row] = batch.keys.empty() ? std::nullopt : batch.keys[index];
            metadata[row] = batch.metadata[index];
            has_metadata[row] = batch.has_metadata[index];
        }
    }
    const Datum values[6] = {int8_array(ids),  int8_array(from),
                             int8_array(to),   monetary_array(amounts),
                             text_array(keys), jsonb_array(metadata, has_metadata)};
    return g_insert_transfers.run(values, nullptr) == count;
}

void insert_entries(const BatchPlan &plan, const std::vector<std::int64_t> &ids) {
    if (plan.postings.size() == 1) {
        const PlannedPosting &posting = plan.postings.front();
        const MonetaryDatum debit = to_datum(posting.debit.amount);
        const MonetaryDatum debit_after = to_datum(posting.debit.balance_after);
        const MonetaryDatum credit = to_datum(posting.credit.amount);
        const MonetaryDatum credit_after = to_datum(posting.credit.balance_after);
        const Datum values[11] = {Int64GetDatum(posting.debit.account),
                                  Int16GetDatum(posting.debit.slot),
                                  Int64GetDatum(posting.debit.version),
                                  monetary_param(debit),
                                  monetary_param(debit_after),
                                  Int64GetDatum(posting.credit.account),
                                  Int16GetDatum(posting.credit.slot),
                                  Int64GetDatum(posting.credit.version),
                                  monetary_param(credit),
                                  monetary_param(credit_after),
                                  Int64GetDatum(ids.front())};
        g_insert_two_entries.run(values, nullptr);
        return;
    }
    // In primary-key order: consecutive inserts then descend to the same b-tree pages.
    std::vector<std::pair<std::size_t, const PlannedEntry *>> order;
    order.reserve(plan.postings.size() * 2);
    for (std::size_t row = 0; row < plan.postings.size(); ++row) {
        order.emplace_back(row, &plan.postings[row].debit);
        order.emplace_back(row, &plan.postings[row].credit);
    }
    std::sort(order.begin(), order.end(), [](const auto &left, const auto &right) {
        return std::tie(left.second->account, left.second->slot, left.second->version) <
               std::tie(right.second->account, right.second->slot, right.second->version);
    });
    const std::size_t count = order.size();
    std::vector<std::int64_t> accounts(count);
    std::vector<std::int16_t> slots(count);
    std::vector<std::int64_t> versions(count);
    std::vector<std::int64_t> transfers(count);
    std::vector<MonetaryDatum> amounts(count);
    std::vector<MonetaryDatum> balances(count);
    for (std::size_t at = 0; at < count; ++at) {
        const auto &[row, entry] = order[at];
        accounts[at] = entry->account;
        slots[at] = entry->slot;
        versions[at] = entry->version;
        transfers[at] = ids[row];
        amounts[at] = to_datum(entry->amount);
        balances[at] = to_datum(entry->balance_after);
    }
    const Datum values[6] = {int8_array(accounts),    int2_array(slots),
                             int8_array(versions),    int8_array(transfers),
                             monetary_array(amounts), monetary_array(balances)};
    g_insert_entries.run(values, nullptr);
}

void update_slots(const BatchPlan &plan) {
    constexpr std::size_t kOneByOne = 4;
    if (plan.updates.size() <= kOneByOne) {
        for (const SlotUpdate &update : plan.updates) {
            const MonetaryDatum balance = to_datum(update.after.balance);
            const MonetaryDatum min_share =
                update.after.min_share ? to_datum(*update.after.min_share) : MonetaryDatum{};
            const MonetaryDatum max_share =
                update.after.max_share ? to_datum(*update.after.max_share) : MonetaryDatum{};
            const Datum values[6] = {
                Int64GetDatum(update.account), Int16GetDatum(update.after.slot),
                monetary_param(balance),       Int64GetDatum(update.after.version),
                monetary_param(min_share),     monetary_param(max_share)};
            const char nulls[6] = {' ',
                                   ' ',
                                   ' ',
                                   ' ',
                                   update.after.min_share ? ' ' : 'n',
                                   update.after.max_share ? ' ' : 'n'};
            if (g_update_slot.run(values, nulls) != 1) {
                throw MoneyError(ErrorKind::internal, "slot " + std::to_string(update.after.slot) +
                                                          " of account " +
                                                          std::to_string(update.account) +
                                                          " was locked but not updated");
            }
        }
        return;
    }
    const std::size_t count = plan.updates.size();
    const SlotColumns columns = slot_columns(plan.updates);
    const Datum values[6] = {columns.accounts, columns.slots,      columns.balances,
                             columns.versions, columns.min_shares, columns.max_shares};
    if (g_update_slots.run(values, nullptr) != count) {
        throw MoneyError(ErrorKind::internal, "locked slots were not all updated");
    }
}

}  // namespace

SlotColumns slot_columns(const std::vector<SlotUpdate> &updates) {
    const std::size_t count = updates.size();
    std::vector<std::int64_t> accounts(count);
    std::vector<std::int16_t> slots(count);
    std::vector<MonetaryDatum> balances(count);
    std::vector<std::int64_t> versions(count);
    std::vector<MonetaryDatum> min_shares(count);
    std::vector<MonetaryDatum> max_shares(count);
    std::vector<bool> has_min(count);
    std::vector<bool> has_max(count);
    for (std::size_t row = 0; row < count; ++row) {
        const SlotState &after = updates[row].after;
        accounts[row] = updates[row].account;
        slots[row] = after.slot;
        balances[row] = to_datum(after.balance);
        versions[row] = after.version;
        has_min[row] = after.min_share.has_value();
        has_max[row] = after.max_share.has_value();
        min_shares[row] = after.min_share ? to_datum(*after.min_share) : MonetaryDatum{};
        max_shares[row] = after.max_share ? to_datum(*after.max_share) : MonetaryDatum{};
    }
    return SlotColumns{int8_array(accounts),
                       int2_array(slots),
                       monetary_array(balances),
                       int8_array(versions),
                       monetary_array(min_shares, has_min),
                       monetary_array(max_shares, has_max)};
}

void write_slot_moves(const std::vector<PlannedPosting> &moves) {
    if (moves.empty()) {
        return;
    }
    BatchPlan plan;
    plan.postings = moves;
    const std::vector<std::int64_t> ids = draw_ids(moves.size());
    LEDGER_INVARIANT(ids.size() == moves.size());
    const bool inserted = insert_transfers(PostingBatch{}, plan, ids);
    LEDGER_INVARIANT(inserted);  // slot moves have no keys
    insert_entries(plan, ids);
}

std::int64_t external_account_of(std::int64_t account) {
    // Ids are reused after a DROP and CREATE EXTENSION in this backend's life.
    if (const Oid current = monetary_type_oid(); current != g_external_for) {
        g_external_of.clear();
        g_external_for = current;
    }
    if (const auto known = g_external_of.find(account); known != g_external_of.end()) {
        return known->second;
    }
    SpiSession spi;
    const Datum values[1] = {Int64GetDatum(account)};
    if (g_find_external.run(values, nullptr) != 1) {
        throw unknown_account(account);
    }
    if (bool_column(0, 1)) {
        // Checked before the currency: the external side is implied, so naming it is the mistake.
        throw MoneyError(ErrorKind::external_account,
                         "account " + std::to_string(account) +
                             " is an external account: deposit and withdraw name the account "
                             "that money enters or leaves");
    }
    if (column_is_null(0, 2)) {
        throw MoneyError(ErrorKind::internal, "the currency of account " + std::to_string(account) +
                                                  " has no external account");
    }
    const std::int64_t external = int64_column(0, 2);
    spi.finish();
    if (g_external_of.size() >= kMaxRemembered) {
        g_external_of.clear();
    }
    g_external_of.emplace(account, external);
    return external;
}

std::vector<std::int64_t> post_batch(const PostingBatch &batch) {
    LEDGER_INVARIANT(batch.metadata.size() == batch.items.size() &&
                     batch.has_metadata.size() == batch.items.size() &&
                     (batch.keys.empty() || batch.keys.size() == batch.items.size()));
    for (std::size_t index = 0; index < batch.items.size(); ++index) {
        try {
            require_positive(batch.items[index].amount);
        } catch (const MoneyError &error) {
            throw numbered_error(batch, index, error);
        }
    }
    require_distinct_keys(batch);
    SpiSession spi;
    WriteScope writing;
    const std::map<std::int64_t, LockedAccount> locked = lock_accounts(batch);
    std::vector<bool> skip(batch.items.size(), false);
    std::vector<std::int64_t> ids(batch.items.size(), 0);
    // After the locks: a concurrent call with the same key and accounts has committed by now.
    if (!batch.keys.empty()) {
        earlier_transfers(batch, skip, ids);
    }
    const BatchPlan plan = plan_batch(batch.items, skip, locked, batch.numbered);
    if (plan.postings.empty()) {
        spi.finish();
        return ids;
    }
    std::vector<std::int64_t> posting_ids;
    if (plan.postings.size() == 1) {
        const std::optional<std::int64_t> inserted = insert_one_transfer(batch, plan.postings[0]);
        if (!inserted) {
            // A concurrent call with this key committed first; it answers this one, or conflicts.
            earlier_transfers(batch, skip, ids);
            LEDGER_INVARIANT(skip[static_cast<std::size_t>(plan.postings[0].item)]);
            spi.finish();
            return ids;
        }
        posting_ids.push_back(*inserted);
    } else {
        posting_ids = draw_ids(plan.postings.size());
        LEDGER_INVARIANT(posting_ids.size() == plan.postings.size());
        if (!insert_transfers(batch, plan, posting_ids)) {
            // A concurrent call committed one of the keys first: a key used with other
            // arguments is refused as such; otherwise the same call again returns its id.
            earlier_transfers(batch, skip, ids);
            throw MoneyError(ErrorKind::retry,
                             "a concurrent call committed a transfer with one of these "
                             "idempotency keys first",
                             "Make the same call again: it returns that transfer's id.");
        }
    }
    insert_entries(plan, posting_ids);
    update_slots(plan);
    for (std::size_t index = 0; index < batch.items.size(); ++index) {
        if (!skip[index]) {
            const int posting = plan.posting_of_item[index];
            LEDGER_INVARIANT(posting >= 0);
            ids[index] = posting_ids[static_cast<std::size_t>(posting)];
        }
    }
    spi.finish();
    return ids;
}

}  // namespace ledger::pg
