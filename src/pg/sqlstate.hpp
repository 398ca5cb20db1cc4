// The SQLSTATE of every error the ledger raises. Class LG is the ledger's own; the README lists
// each code. Standard codes are used where PostgreSQL has one that says exactly what went wrong.
#pragma once

#include "../core/error.hpp"
#include "postgres_headers.hpp"

namespace ledger::pg {

constexpr int kCurrencyMismatch = MAKE_SQLSTATE('L', 'G', '0', '0', '1');
constexpr int kUnknownCurrency = MAKE_SQLSTATE('L', 'G', '0', '0', '2');
constexpr int kInexactAmount = MAKE_SQLSTATE('L', 'G', '0', '0', '3');
constexpr int kDuplicateCurrency = MAKE_SQLSTATE('L', 'G', '0', '0', '4');
// LG005 (currency_immutable) is raised by a PL/pgSQL trigger in ledger--1.0.sql.
constexpr int kInsufficientFunds = MAKE_SQLSTATE('L', 'G', '1', '0', '1');
constexpr int kAboveMaxBalance = MAKE_SQLSTATE('L', 'G', '1', '0', '2');
constexpr int kAccountCurrencyMismatch = MAKE_SQLSTATE('L', 'G', '1', '0', '3');
constexpr int kUnknownAccount = MAKE_SQLSTATE('L', 'G', '1', '0', '4');
constexpr int kSameAccount = MAKE_SQLSTATE('L', 'G', '1', '0', '5');
constexpr int kNonPositiveAmount = MAKE_SQLSTATE('L', 'G', '1', '0', '6');
constexpr int kIdempotencyConflict = MAKE_SQLSTATE('L', 'G', '1', '0', '7');
constexpr int kVersionConflict = MAKE_SQLSTATE('L', 'G', '1', '0', '8');
constexpr int kDuplicateAccount = MAKE_SQLSTATE('L', 'G', '1', '0', '9');
constexpr int kAppendOnly = MAKE_SQLSTATE('L', 'G', '1', '1', '0');
constexpr int kAccountWriteRefused = MAKE_SQLSTATE('L', 'G', '1', '1', '1');
constexpr int kExternalAccount = MAKE_SQLSTATE('L', 'G', '1', '1', '2');
constexpr int kSplitAccount = MAKE_SQLSTATE('L', 'G', '1', '1', '3');
// The change feed's SQL functions raise LG201 to LG207 themselves.
constexpr int kPrepareAfterTick = MAKE_SQLSTATE('L', 'G', '2', '0', '8');

inline int sqlstate_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid_text:
            return ERRCODE_INVALID_TEXT_REPRESENTATION;  // 22P02
        case ErrorKind::invalid_binary:
            return ERRCODE_INVALID_BINARY_REPRESENTATION;  // 22P03
        case ErrorKind::out_of_range:
            return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;  // 22003
        case ErrorKind::invalid_parameter:
            return ERRCODE_INVALID_PARAMETER_VALUE;  // 22023
        case ErrorKind::division_by_zero:
            return ERRCODE_DIVISION_BY_ZERO;  // 22012
        case ErrorKind::null_value:
            return ERRCODE_NULL_VALUE_NOT_ALLOWED;  // 22004
        case ErrorKind::currency_mismatch:
            return kCurrencyMismatch;
        case ErrorKind::unknown_currency:
            return kUnknownCurrency;
        case ErrorKind::inexact_amount:
            return kInexactAmount;
        case ErrorKind::duplicate_currency:
            return kDuplicateCurrency;
        case ErrorKind::insufficient_funds:
            return kInsufficientFunds;
        case ErrorKind::above_max_balance:
            return kAboveMaxBalance;
        case ErrorKind::account_currency_mismatch:
            return kAccountCurrencyMismatch;
        case ErrorKind::unknown_account:
            return kUnknownAccount;
        case ErrorKind::same_account:
            return kSameAccount;
        case ErrorKind::non_positive_amount:
            return kNonPositiveAmount;
        case ErrorKind::idempotency_conflict:
            return kIdempotencyConflict;
        case ErrorKind::version_conflict:
            return kVersionConflict;
        case ErrorKind::duplicate_account:
            return kDuplicateAccount;
        case ErrorKind::append_only:
            return kAppendOnly;
        case ErrorKind::account_write_refused:
            return kAccountWriteRefused;
        case ErrorKind::external_account:
            return kExternalAccount;
        case ErrorKind::split_account:
            return kSplitAccount;
        case ErrorKind::prepare_after_tick:
            return kPrepareAfterTick;
        case ErrorKind::retry:
            return ERRCODE_T_R_SERIALIZATION_FAILURE;
        case ErrorKind::internal:
            return ERRCODE_INTERNAL_ERROR;
    }
    return ERRCODE_INTERNAL_ERROR;
}

}  // namespace ledger::pg
