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
};

class MoneyError : public std::runtime_error {
  public:
    MoneyError(ErrorKind kind, const std::string &message, std::string hint = {})
        : std::runtime_error(message), kind_(kind), hint_(std::move(hint)) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string &hint() const noexcept { return hint_; }

  private:
    ErrorKind kind_;
    std::string hint_;
};

}  // namespace ledger
