// Errors raised by the money core. The core knows nothing of PostgreSQL: each error carries a
// kind, and the glue layer maps kinds to SQLSTATEs in one table (src/pg/boundary.cpp).
#pragma once

#include <stdexcept>
#include <string>

namespace ledger {

enum class ErrorKind {
    invalid_text,        // malformed text input
    invalid_binary,      // malformed binary input
    out_of_range,        // a value outside +-(2^127 - 1) minor units, or another numeric limit
    currency_mismatch,   // two currencies met where one is required
    unknown_currency,    // a code that is neither built in nor registered
    inexact_amount,      // an amount with more decimals than its currency has
    invalid_parameter,   // an argument outside what the function accepts
    division_by_zero,    // a ratio with a zero denominator
    duplicate_currency,  // registering a code that already exists
    null_value,          // a NULL where a value is required
    // The ledger's own failures.
    insufficient_funds,         // a debit would take a balance below its minimum
    above_max_balance,          // a credit would take a balance above its maximum
    account_currency_mismatch,  // an amount in another currency than the account's
    unknown_account,            // no account has that id
    same_account,               // a transfer from an account to itself
    non_positive_amount,        // a transfer of zero or less
    idempotency_conflict,       // an idempotency key reused with other arguments
    version_conflict,           // the account's version is not the expected one
    duplicate_account,          // an account name that is taken
    append_only,                // rewriting transfers or entries
    account_write_refused,      // changing accounts outside the ledger's functions
    external_account,           // transfer() naming an external account
    split_account,              // a per-account version asked of an account split into slots
    prepare_after_tick,         // PREPARE TRANSACTION of a transaction that ticked the feed
    retry,                      // a concurrent call got there first: the same call may succeed
    internal,                   // a broken invariant: a bug, never the caller's fault
};

// The message says what was wrong in terms the caller supplied; figures the caller may not be
// entitled to read (balances, limits, versions, other transfers) go in the detail, which the
// glue layer drops for callers who cannot read the accounts.
class MoneyError : public std::runtime_error {
  public:
    MoneyError(ErrorKind kind, const std::string &message, std::string hint = {},
               std::string detail = {})
        : std::runtime_error(message),
          kind_(kind),
          hint_(std::move(hint)),
          detail_(std::move(detail)) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string &hint() const noexcept { return hint_; }
    const std::string &detail() const noexcept { return detail_; }
    void drop_detail() { detail_.clear(); }

  private:
    ErrorKind kind_;
    std::string hint_;
    std::string detail_;
};

}  // namespace ledger
