// Reading SQL arguments into C++ values, through pg_call (detoasting can fail).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "postgres_headers.hpp"

namespace ledger::pg {

// A policy, well below the btree entry limit (about 2700 bytes) that unbounded keys and names
// would otherwise meet with PostgreSQL's index-size error: identifiers, not documents, and
// cheap to index and compare on every call.
constexpr std::size_t kMaxKeyBytes = 255;

// Throws null_value when argument n is NULL.
void require_argument(FunctionCallInfo fcinfo, int n, const char *name);
// Throws invalid_parameter when `value` is longer than max_bytes.
void require_length(const std::string &value, std::size_t max_bytes, const char *what);

// The elements of a one-dimensional (or empty) array argument, NULL elements marked; throws
// invalid_parameter for more dimensions. The values live in the current memory context.
struct ArrayElements {
    std::vector<Datum> values;
    std::vector<bool> nulls;
};
ArrayElements array_arg(FunctionCallInfo fcinfo, int n, Oid element_type, const char *name);
// The number of elements of an array argument, read from its header.
std::size_t array_length_arg(FunctionCallInfo fcinfo, int n);

std::string text_arg(FunctionCallInfo fcinfo, int n);
// A numeric argument as PostgreSQL prints it ("-12.50", "NaN").
std::string numeric_arg_text(FunctionCallInfo fcinfo, int n);
// The label of an enum argument.
std::string enum_arg_label(FunctionCallInfo fcinfo, int n);
// The elements of an int4[] argument; throws invalid_parameter on NULL elements.
std::vector<std::int64_t> int4_array_arg(FunctionCallInfo fcinfo, int n);

}  // namespace ledger::pg
