#include "posting.hpp"

#include <algorithm>
#include <cstring>

#include "../core/error.hpp"
#include "../core/posting.hpp"
#include "../core/text.hpp"
#include "boundary.hpp"
#include "disclosure.hpp"
#include "monetary_datum.hpp"
#include "spi.hpp"
#include "write_scope.hpp"

namespace ledger::pg {
namespace {

SavedStatement g_lock_account(
    "SELECT balance, min_balance, max_balance, version, is_external FROM ledger.accounts "
    "WHERE id = $1 "
    "FOR UPDATE",
    {INT8OID});
// The amounts are compared here, as bytes, not in SQL: the statement then names no operator of
// ledger.monetary, whose schema differs between versions 1.0 and 1.1 of the SQL objects.
SavedStatement g_find_by_key(
    "SELECT id, from_account = $2 AND to_account = $3 "
    "AND metadata IS NOT DISTINCT FROM $4, amount FROM ledger.transfers WHERE idempotency_key = $1",
    {TEXTOID, INT8OID, INT8OID, JSONBOID});
SavedStatement g_insert_transfer(
    "INSERT INTO ledger.transfers (from_account, to_account, amount, idempotency_key, metadata) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    {INT8OID, INT8OID, SavedStatement::monetary, TEXTOID, JSONBOID});
SavedStatement g_update_account(
    "UPDATE ledger.accounts SET balance = $2, version = $3 WHERE id = $1",
    {INT8OID, SavedStatement::monetary, INT8OID});
SavedStatement g_insert_entries(
    "INSERT INTO ledger.entries (account_id, account_version, transfer_id, amount, balance_after) "
    "VALUES ($1, $2, $7, $3, $4), ($5, $6, $7, $8, $9)",
    {INT8OID, INT8OID, SavedStatement::monetary, SavedStatement::monetary, INT8OID, INT8OID,
     INT8OID, SavedStatement::monetary, SavedStatement::monetary});
// The external account of an account's currency; no row for an unknown account. The currency of
// an account never changes, so reading it before the locks is safe.
SavedStatement g_find_external(
    "SELECT e.id FROM ledger.accounts a "
    "LEFT JOIN ledger.accounts e ON e.is_external AND e.currency = a.currency WHERE a.id = $1",
    {INT8OID});

std::optional<Money> optional_money(std::uint64_t row, int column) {
    if (column_is_null(row, column)) {
        return std::nullopt;
    }
    return to_money(monetary_column(row, column));
}

[[noreturn]] void unknown_account(std::int64_t id) {
    throw MoneyError(ErrorKind::unknown_account,
                     "account " + std::to_string(id) + " does not exist");
}

// Locks one account. Only `external_side` may be an external account: transfer() moving money
// in or out of the world would bypass the grants on deposit() and withdraw().
AccountState lock_account(std::int64_t id, std::int64_t external_side) {
    const Datum values[1] = {Int64GetDatum(id)};
    if (g_lock_account.run(values, nullptr) != 1) {
        unknown_account(id);
    }
    const bool external = bool_column(0, 5);
    if (external && id != external_side) {
        throw MoneyError(ErrorKind::external_account,
                         "account " + std::to_string(id) + " is an external account",
                         "Move money in and out with ledger.deposit() and ledger.withdraw().");
    }
    return AccountState{id,
                        to_money(monetary_column(0, 1)),
                        optional_money(0, 2),
                        optional_money(0, 3),
                        int64_column(0, 4),
                        external};
}

// The transfer made earlier with the request's key, if any; throws idempotency_conflict when
// that transfer differs from the request.
std::optional<std::int64_t> earlier_transfer(const TransferRequest &request) {
    const MonetaryDatum amount = to_datum(request.amount);
    const Datum values[4] = {text_param(*request.idempotency_key),
                             Int64GetDatum(request.from_account), Int64GetDatum(request.to_account),
                             request.metadata};
    const char nulls[4] = {' ', ' ', ' ', request.has_metadata ? ' ' : 'n'};
    if (g_find_by_key.run(values, nulls) == 0) {
        return std::nullopt;
    }
    const MonetaryDatum earlier_amount = monetary_column(0, 3);
    const bool same_amount = std::memcmp(&earlier_amount, &amount, sizeof(MonetaryDatum)) == 0;
    if (!bool_column(0, 2) || !same_amount) {
        throw MoneyError(ErrorKind::idempotency_conflict,
                         "idempotency key \"" + *request.idempotency_key +
                             "\" was already used with other arguments",
                         "Use a new key for a new transfer.",
                         "The key made transfer " + std::to_string(int64_column(0, 1)) + ".");
    }
    return int64_column(0, 1);
}

// Appends the transfer; nullopt when a concurrent call with the same key committed first.
std::optional<std::int64_t> insert_transfer(const TransferRequest &request) {
    const MonetaryDatum amount = to_datum(request.amount);
    const Datum key = request.idempotency_key ? text_param(*request.idempotency_key) : Datum(0);
    const Datum values[5] = {Int64GetDatum(request.from_account), Int64GetDatum(request.to_account),
                             monetary_param(amount), key, request.metadata};
    const char nulls[5] = {' ', ' ', ' ', request.idempotency_key ? ' ' : 'n',
                           request.has_metadata ? ' ' : 'n'};
    if (g_insert_transfer.run(values, nulls) == 0) {
        return std::nullopt;
    }
    return int64_column(0, 1);
}

void store_account(const AccountState &account) {
    const MonetaryDatum balance = to_datum(account.balance);
    const Datum values[3] = {Int64GetDatum(account.id), monetary_param(balance),
                             Int64GetDatum(account.version)};
    if (g_update_account.run(values, nullptr) != 1) {
        throw MoneyError(ErrorKind::internal,
                         "account " + std::to_string(account.id) + " was locked but not updated");
    }
}

void append_entries(std::int64_t transfer_id, const PlannedTransfer &planned, const Money &amount) {
    const MonetaryDatum debit = to_datum(negate(amount));
    const MonetaryDatum credit = to_datum(amount);
    const MonetaryDatum from_balance = to_datum(planned.from_after.balance);
    const MonetaryDatum to_balance = to_datum(planned.to_after.balance);
    const Datum values[9] = {Int64GetDatum(planned.from_after.id),
                             Int64GetDatum(planned.from_after.version),
                             monetary_param(debit),
                             monetary_param(from_balance),
                             Int64GetDatum(planned.to_after.id),
                             Int64GetDatum(planned.to_after.version),
                             Int64GetDatum(transfer_id),
                             monetary_param(credit),
                             monetary_param(to_balance)};
    g_insert_entries.run(values, nullptr);
}

std::int64_t external_account_for(std::int64_t account) {
    const Datum values[1] = {Int64GetDatum(account)};
    if (g_find_external.run(values, nullptr) != 1) {
        unknown_account(account);
    }
    if (column_is_null(0, 1)) {
        throw MoneyError(ErrorKind::internal, "the currency of account " + std::to_string(account) +
                                                  " has no external account");
    }
    const std::int64_t external = int64_column(0, 1);
    if (external == account) {
        // Checked before the currency: the external side is implied, so naming it is the mistake.
        throw MoneyError(ErrorKind::external_account,
                         "account " + std::to_string(account) +
                             " is an external account: deposit and withdraw name the account "
                             "that money enters or leaves");
    }
    return external;
}

// Locks both accounts in ascending id order, so that two ledger calls, each alone in its
// transaction, never wait for each other in a cycle, whichever way they move money. (Several
// calls in one transaction can still deadlock with another such transaction; PostgreSQL then
// raises 40P01.)
std::pair<AccountState, AccountState> lock_pair(std::int64_t from, std::int64_t to,
                                                std::int64_t external_side) {
    if (from == to) {
        const AccountState only = lock_account(from, external_side);
        return {only, only};
    }
    if (from < to) {
        AccountState first = lock_account(from, external_side);
        return {first, lock_account(to, external_side)};
    }
    AccountState first = lock_account(to, external_side);
    return {lock_account(from, external_side), first};
}

// Moves the money; `external_side` is the one account allowed to be external (0: none).
std::int64_t post(const TransferRequest &request, std::optional<ExpectedVersion> expected,
                  std::int64_t external_side) {
    require_positive(request.amount);
    SpiSession spi;
    WriteScope writing;
    const auto [from, to] = lock_pair(request.from_account, request.to_account, external_side);
    // After the locks: a concurrent call with the same key and accounts has committed by now.
    if (request.idempotency_key) {
        if (const std::optional<std::int64_t> earlier = earlier_transfer(request)) {
            spi.finish();
            return *earlier;
        }
    }
    const PlannedTransfer planned = plan_transfer(from, to, request.amount, expected);
    const std::optional<std::int64_t> inserted = insert_transfer(request);
    if (!inserted) {
        // A concurrent call with this key, on other accounts, committed first.
        const std::optional<std::int64_t> earlier = earlier_transfer(request);
        if (!earlier) {
            throw MoneyError(ErrorKind::internal, "idempotency key \"" + *request.idempotency_key +
                                                      "\" conflicted but names no transfer");
        }
        spi.finish();
        return *earlier;
    }
    store_account(planned.from_after);
    store_account(planned.to_after);
    append_entries(*inserted, planned, request.amount);
    spi.finish();
    return *inserted;
}

std::optional<ExpectedVersion> expected_of(const TransferRequest &request, std::int64_t account) {
    if (!request.expected_version) {
        return std::nullopt;
    }
    return ExpectedVersion{account, *request.expected_version};
}

// deposit() and withdraw(): the other side is the external account of the account's currency.
std::int64_t post_to_outside_world(TransferRequest request, ExternalSide external_side) {
    require_positive(request.amount);
    const std::int64_t own =
        external_side == ExternalSide::source ? request.to_account : request.from_account;
    std::int64_t external = 0;
    {
        SpiSession spi;
        external = external_account_for(own);
        spi.finish();
    }
    if (external_side == ExternalSide::source) {
        request.from_account = external;
    } else {
        request.to_account = external;
    }
    return post(request, expected_of(request, own), external);
}

}  // namespace

std::int64_t post_transfer(const TransferRequest &request) {
    return disclosing_only_to_readers(
        [&] { return post(request, expected_of(request, request.from_account), 0); });
}

std::int64_t post_external(TransferRequest request, ExternalSide external_side) {
    return disclosing_only_to_readers(
        [&] { return post_to_outside_world(request, external_side); });
}

}  // namespace ledger::pg
