// SQL entry points of the ledger: create_account, transfer, withdraw, deposit.
#include <optional>
#include <string>

#include "../core/error.hpp"
#include "../core/text.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"
#include "posting.hpp"
#include "postgres_arguments.hpp"
#include "spi.hpp"

using namespace ledger;
using namespace ledger::pg;

namespace {

constexpr const char *kExternalPrefix = "external:";
// A policy, well below the btree entry limit (about 2700 bytes) that unbounded keys and names
// would otherwise meet with PostgreSQL's index-size error: identifiers, not documents, and
// cheap to index and compare on every call.
constexpr std::size_t kMaxKeyBytes = 255;
constexpr std::size_t kMaxNameBytes = 255;

void require_length(const std::string &value, std::size_t max_bytes, const char *what) {
    if (value.size() > max_bytes) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         std::string(what) + " is " + std::to_string(value.size()) +
                             " bytes long; at most " + std::to_string(max_bytes) + " are allowed");
    }
}

void require_argument(FunctionCallInfo fcinfo, int n, const char *name) {
    if (PG_ARGISNULL(n)) {
        throw MoneyError(ErrorKind::null_value, std::string(name) + " must not be NULL");
    }
}

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

}  // namespace

// ledger.create_account(name, currency, min_balance, max_balance, metadata) returns bigint
LEDGER_FUNCTION(ledger_create_account) {
    return at_boundary([&] {
        require_argument(fcinfo, 0, "name");
        require_argument(fcinfo, 1, "currency");
        const std::string name = text_arg(fcinfo, 0);
        require_length(name, kMaxNameBytes, "account name");
        if (name.empty() || name.rfind(kExternalPrefix, 0) == 0) {
            throw MoneyError(ErrorKind::invalid_parameter,
                             "account name \"" + name + "\" is empty or reserved",
                             "Names starting with \"external:\" belong to the external accounts.");
        }
        const Currency currency = currency_named(text_arg(fcinfo, 1).c_str());
        const std::optional<Money> min_balance = limit_arg(fcinfo, 2, currency, "min_balance");
        const std::optional<Money> max_balance = limit_arg(fcinfo, 3, currency, "max_balance");
        if (min_balance && max_balance && compare(*min_balance, *max_balance) > 0) {
            throw MoneyError(ErrorKind::invalid_parameter,
                             "min_balance " + format_money(*min_balance) +
                                 " is above max_balance " + format_money(*max_balance));
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
        const std::string code(currency.code.view());
        const MonetaryDatum zero = to_datum(Money{0, currency});
        const MonetaryDatum low = min_balance ? to_datum(*min_balance) : MonetaryDatum{};
        const MonetaryDatum high = max_balance ? to_datum(*max_balance) : MonetaryDatum{};

        SpiSession spi;
        const Datum external[3] = {text_param(kExternalPrefix + code), text_param(code),
                                   monetary_param(zero)};
        g_insert_external.run(external, nullptr);
        const Datum values[6] = {
            text_param(name),     text_param(code),
            monetary_param(zero), monetary_param(low),
            monetary_param(high), PG_ARGISNULL(4) ? Datum(0) : PG_GETARG_DATUM(4)};
        const char nulls[6] = {' ',
                               ' ',
                               ' ',
                               min_balance ? ' ' : 'n',
                               max_balance ? ' ' : 'n',
                               PG_ARGISNULL(4) ? 'n' : ' '};
        if (g_insert_account.run(values, nulls) != 1) {
            throw MoneyError(ErrorKind::duplicate_account,
                             "an account named \"" + name + "\" already exists");
        }
        const std::int64_t id = int64_column(0, 1);
        spi.finish();
        return Int64GetDatum(id);
    });
}

// ledger.transfer(from_account, to_account, amount, idempotency_key, metadata, expected_version)
LEDGER_FUNCTION(ledger_transfer) {
    return at_boundary([&] {
        require_argument(fcinfo, 0, "from_account");
        require_argument(fcinfo, 1, "to_account");
        TransferRequest request = request_from(fcinfo, 2);
        request.from_account = PG_GETARG_INT64(0);
        request.to_account = PG_GETARG_INT64(1);
        return Int64GetDatum(post_transfer(request));
    });
}

// ledger.withdraw(account, amount, idempotency_key, metadata, expected_version)
LEDGER_FUNCTION(ledger_withdraw) {
    return at_boundary([&] {
        require_argument(fcinfo, 0, "account");
        TransferRequest request = request_from(fcinfo, 1);
        request.from_account = PG_GETARG_INT64(0);
        return Int64GetDatum(post_external(request, ExternalSide::destination));
    });
}

// ledger.deposit(account, amount, idempotency_key, metadata, expected_version)
LEDGER_FUNCTION(ledger_deposit) {
    return at_boundary([&] {
        require_argument(fcinfo, 0, "account");
        TransferRequest request = request_from(fcinfo, 1);
        request.to_account = PG_GETARG_INT64(0);
        return Int64GetDatum(post_external(request, ExternalSide::source));
    });
}
