// SQL entry points of the ledger: create_account, transfer, withdraw, deposit.
#include <optional>
#include <string>

#include "../core/error.hpp"
#include "../core/text.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"
#include "batch_posting.hpp"
#include "disclosure.hpp"
#include "posting.hpp"
#include "postgres_arguments.hpp"
#include "spi.hpp"

using namespace ledger;
using namespace ledger::pg;

namespace {

constexpr const char *kExternalPrefix = "external:";
constexpr std::size_t kMaxNameBytes = 255;

std::optional<std::string> optional_text(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) {
        return std::nullopt;
    }
    return text_arg(fcinfo, n);
}

// Arguments shared by transfer, withdraw and deposit: (..., amount, key, metadata, version).
TransferRequest request_from(FunctionCallInfo fcinfo, int amount_arg) {
    require_argument(fcinfo, amount_arg, "amount");
    TransferRequest request;
    request.amount = to_money(*monetary_arg(fcinfo, amount_arg));
    request.idempotency_key = optional_text(fcinfo, amount_arg + 1);
    if (request.idempotency_key) {
        require_length(*request.idempotency_key, kMaxKeyBytes, "idempotency key");
    }
    request.has_metadata = !PG_ARGISNULL(amount_arg + 2);
    request.metadata = request.has_metadata ? PG_GETARG_DATUM(amount_arg + 2) : Datum(0);
    if (!PG_ARGISNULL(amount_arg + 3)) {
        request.expected_version = PG_GETARG_INT64(amount_arg + 3);
    }
    return request;
}

// A limit given to create_account: NULL is no limit, '0 XXX' is zero in the account's currency.
std::optional<Money> limit_arg(FunctionCallInfo fcinfo, int n, const Currency &currency,
                               const char *name) {
    if (PG_ARGISNULL(n)) {
        return std::nullopt;
    }
    const Money limit = to_money(*monetary_arg(fcinfo, n));
    if (limit.currency.code.view() == "XXX" && limit.amount == 0) {
        return Money{0, currency};
    }
    if (limit.currency != currency) {
        throw MoneyError(ErrorKind::account_currency_mismatch,
                         std::string(name) + " " + format_money(limit) + " is not in " +
                             std::string(currency.code.view()));
    }
    return limit;
}

SavedStatement g_insert_external(
    "INSERT INTO ledger.accounts (name, currency, balance, is_external) "
    "SELECT $1, $2, $3, true WHERE NOT EXISTS "
    "(SELECT FROM ledger.accounts WHERE is_external AND currency = $2) ON CONFLICT DO NOTHING",
    {TEXTOID, TEXTOID, SavedStatement::monetary});
SavedStatement g_insert_account(
    "INSERT INTO ledger.accounts (name, currency, balance, min_balance, max_balance, metadata) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING id",
    {TEXTOID, TEXTOID, SavedStatement::monetary, SavedStatement::monetary, SavedStatement::monetary,
     JSONBOID});

// 1.1: an account row and its one balance slot; the external account of a new currency has
// kExternalSlots slots, because every deposit and withdrawal of that currency touches it.
constexpr int kExternalSlots = 16;
SavedStatement g_open_external(
    "WITH made AS (INSERT INTO ledger.accounts (name, currency, is_external) "
    "SELECT $1, $2, true WHERE NOT EXISTS "
    "(SELECT FROM ledger.accounts WHERE is_external AND currency = $2) "
    "ON CONFLICT DO NOTHING RETURNING id) "
    "INSERT INTO ledger.balances (account_id, slot, slots, is_external, balance) "
    "SELECT made.id, s, $4, true, $3 FROM made, generate_series(0, $4 - 1) AS s",
    {TEXTOID, TEXTOID, SavedStatement::monetary, INT2OID});
SavedStatement g_open_account(
    "WITH made AS (INSERT INTO ledger.accounts (name, currency, min_balance, max_balance, "
    "metadata) "
    "VALUES ($1, $2, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING id) "
    "INSERT INTO ledger.balances (account_id, slot, slots, is_external, balance, min_share, "
    "max_share) SELECT id, 0, 1, false, $3, $4, $5 FROM made RETURNING account_id",
    {TEXTOID, TEXTOID, SavedStatement::monetary, SavedStatement::monetary, SavedStatement::monetary,
     JSONBOID});

// What create_account was asked for, checked.
struct AccountRequest {
    std::string name;
    Currency currency;
    std::optional<Money> min_balance;
    std::optional<Money> max_balance;
};

AccountRequest account_request(FunctionCallInfo fcinfo) {
    require_argument(fcinfo, 0, "name");
    require_argument(fcinfo, 1, "currency");
    std::string name = text_arg(fcinfo, 0);
    require_length(name, kMaxNameBytes, "account name");
    if (name.empty() || name.rfind(kExternalPrefix, 0) == 0) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         "account name \"" + name + "\" is empty or reserved",
                         "Names starting with \"external:\" belong to the external accounts.");
    }
    Currency currency = currency_named(text_arg(fcinfo, 1).c_str());
    const std::optional<Money> min_balance = limit_arg(fcinfo, 2, currency, "min_balance");
    const std::optional<Money> max_balance = limit_arg(fcinfo, 3, currency, "max_balance");
    if (min_balance && max_balance && compare(*min_balance, *max_balance) > 0) {
        throw MoneyError(ErrorKind::invalid_parameter, "min_balance " + format_money(*min_balance) +
                                                           " is above max_balance " +
                                                           format_money(*max_balance));
    }
    // An account opens at zero, which must be within its own limits.
    if (min_balance && min_balance->amount > 0) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         "min_balance " + format_money(*min_balance) +
                             " is above zero: the account would open below its minimum");
    }
    if (max_balance && max_balance->amount < 0) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         "max_balance " + format_money(*max_balance) +
                             " is below zero: the account would open above its maximum");
    }
    return AccountRequest{name, currency, min_balance, max_balance};
}

// Creates the account with `insert_account` (name, currency, zero, min, max, metadata), after
// the currency's external account with `insert_external` (name, currency, zero, slots; 1.0's
// statement has no slots).
Datum create_account(FunctionCallInfo fcinfo, SavedStatement &insert_external,
                     SavedStatement &insert_account) {
    const AccountRequest request = account_request(fcinfo);
    const std::string code(request.currency.code.view());
    const MonetaryDatum zero = to_datum(Money{0, request.currency});
    const MonetaryDatum low =
        request.min_balance ? to_datum(*request.min_balance) : MonetaryDatum{};
    const MonetaryDatum high =
        request.max_balance ? to_datum(*request.max_balance) : MonetaryDatum{};

    SpiSession spi;
    const Datum external[4] = {text_param(kExternalPrefix + code), text_param(code),
                               monetary_param(zero), Int16GetDatum(kExternalSlots)};
    insert_external.run(external, nullptr);
    const Datum values[6] = {
        text_param(request.name), text_param(code),
        monetary_param(zero),     monetary_param(low),
        monetary_param(high),     PG_ARGISNULL(4) ? Datum(0) : PG_GETARG_DATUM(4)};
    const char nulls[6] = {' ',
                           ' ',
                           ' ',
                           request.min_balance ? ' ' : 'n',
                           request.max_balance ? ' ' : 'n',
                           PG_ARGISNULL(4) ? 'n' : ' '};
    if (insert_account.run(values, nulls) != 1) {
        throw MoneyError(ErrorKind::duplicate_account,
                         "an account named \"" + request.name + "\" already exists");
    }
    const std::int64_t id = int64_column(0, 1);
    spi.finish();
    return Int64GetDatum(id);
}

}  // namespace

// ledger.create_account(name, currency, min_balance, max_balance, metadata) returns bigint,
// under the 1.0 SQL objects.
LEDGER_FUNCTION(ledger_create_account) {
    return at_boundary([&] { return create_account(fcinfo, g_insert_external, g_insert_account); });
}

// The same under the 1.1 SQL objects.
LEDGER_FUNCTION(ledger_open_account) {
    return at_boundary([&] { return create_account(fcinfo, g_open_external, g_open_account); });
}

namespace {

// transfer(from_account, to_account, amount, idempotency_key, metadata, expected_version)
TransferRequest transfer_request(FunctionCallInfo fcinfo) {
    require_argument(fcinfo, 0, "from_account");
    require_argument(fcinfo, 1, "to_account");
    TransferRequest request = request_from(fcinfo, 2);
    request.from_account = PG_GETARG_INT64(0);
    request.to_account = PG_GETARG_INT64(1);
    return request;
}

// withdraw() and deposit()(account, amount, idempotency_key, metadata, expected_version): the
// account is the source of a withdrawal, the destination of a deposit.
TransferRequest outside_world_request(FunctionCallInfo fcinfo, ExternalSide external_side) {
    require_argument(fcinfo, 0, "account");
    TransferRequest request = request_from(fcinfo, 1);
    (external_side == ExternalSide::destination ? request.from_account : request.to_account) =
        PG_GETARG_INT64(0);
    return request;
}

// A single call under the 1.1 SQL objects: a batch of one, whose refusals are not numbered.
// `own` is the caller's account, the one expected_version applies to.
std::int64_t post_one(const TransferRequest &request, std::int64_t own, std::int64_t external) {
    PostingBatch batch;
    TransferItem item;
    item.from_account = request.from_account;
    item.to_account = request.to_account;
    item.amount = request.amount;
    item.external_side = external;
    if (request.expected_version) {
        item.expected = ExpectedVersion{own, *request.expected_version};
    }
    batch.items.push_back(item);
    if (request.idempotency_key) {
        batch.keys.push_back(request.idempotency_key);
    }
    batch.metadata.push_back(request.metadata);
    batch.has_metadata.push_back(request.has_metadata);
    return disclosing_only_to_readers([&] { return post_batch(batch); }).front();
}

// deposit() and withdraw(): the other side is the external account of the account's currency.
std::int64_t post_with_outside_world(TransferRequest request, ExternalSide external_side) {
    require_positive(request.amount);
    const std::int64_t own =
        external_side == ExternalSide::source ? request.to_account : request.from_account;
    const std::int64_t external = external_account_of(own);
    (external_side == ExternalSide::source ? request.from_account : request.to_account) = external;
    return post_one(request, own, external);
}

}  // namespace

// ledger.transfer(...), ledger.withdraw(...), ledger.deposit(...) under the 1.0 SQL objects.
LEDGER_FUNCTION(ledger_transfer) {
    return at_boundary([&] { return Int64GetDatum(post_transfer(transfer_request(fcinfo))); });
}

LEDGER_FUNCTION(ledger_withdraw) {
    return at_boundary([&] {
        return Int64GetDatum(post_external(outside_world_request(fcinfo, ExternalSide::destination),
                                           ExternalSide::destination));
    });
}

LEDGER_FUNCTION(ledger_deposit) {
    return at_boundary([&] {
        return Int64GetDatum(post_external(outside_world_request(fcinfo, ExternalSide::source),
                                           ExternalSide::source));
    });
}

// The same under the 1.1 SQL objects.
LEDGER_FUNCTION(ledger_post_transfer) {
    return at_boundary([&] {
        const TransferRequest request = transfer_request(fcinfo);
        return Int64GetDatum(post_one(request, request.from_account, 0));
    });
}

LEDGER_FUNCTION(ledger_post_withdraw) {
    return at_boundary([&] {
        return Int64GetDatum(post_with_outside_world(
            outside_world_request(fcinfo, ExternalSide::destination), ExternalSide::destination));
    });
}

LEDGER_FUNCTION(ledger_post_deposit) {
    return at_boundary([&] {
        return Int64GetDatum(post_with_outside_world(
            outside_world_request(fcinfo, ExternalSide::source), ExternalSide::source));
    });
}
