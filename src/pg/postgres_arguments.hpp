// Reading SQL arguments into C++ values, through pg_call (detoasting can fail).
#pragma once

#include <string>
#include <vector>

#include "postgres_headers.hpp"

namespace ledger::pg {

std::string text_arg(FunctionCallInfo fcinfo, int n);
// A numeric argument as PostgreSQL prints it ("-12.50", "NaN").
std::string numeric_arg_text(FunctionCallInfo fcinfo, int n);
// The label of an enum argument.
std::string enum_arg_label(FunctionCallInfo fcinfo, int n);
// The elements of an int4[] argument; throws invalid_parameter on NULL elements.
std::vector<std::int64_t> int4_array_arg(FunctionCallInfo fcinfo, int n);

}  // namespace ledger::pg
