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
    }
    return ERRCODE_INTERNAL_ERROR;
}

}  // namespace ledger::pg
