#include "postgres_arguments.hpp"

#include "../core/error.hpp"
#include "boundary.hpp"

namespace ledger::pg {

std::string text_arg(FunctionCallInfo fcinfo, int n) {
    const char *value =
        pg_call([fcinfo, n]() noexcept { return text_to_cstring(PG_GETARG_TEXT_PP(n)); });
    return std::string(value);
}

std::string numeric_arg_text(FunctionCallInfo fcinfo, int n) {
    const char *value = pg_call([fcinfo, n]() noexcept {
        return DatumGetCString(DirectFunctionCall1(numeric_out, PG_GETARG_DATUM(n)));
    });
    return std::string(value);
}

std::string enum_arg_label(FunctionCallInfo fcinfo, int n) {
    const char *label = pg_call([fcinfo, n]() noexcept {
        return DatumGetCString(DirectFunctionCall1(enum_out, PG_GETARG_DATUM(n)));
    });
    return std::string(label);
}

std::vector<std::int64_t> int4_array_arg(FunctionCallInfo fcinfo, int n) {
    Datum *elements = nullptr;
    bool *nulls = nullptr;
    int count = 0;
    pg_call([&]() noexcept {
        deconstruct_array(PG_GETARG_ARRAYTYPE_P(n), INT4OID, sizeof(int32), true, TYPALIGN_INT,
                          &elements, &nulls, &count);
    });
    std::vector<std::int64_t> values;
    values.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        if (nulls[i]) {
            throw MoneyError(ErrorKind::invalid_parameter, "allocation ratios must not be NULL");
        }
        values.push_back(DatumGetInt32(elements[i]));
    }
    return values;
}

}  // namespace ledger::pg
