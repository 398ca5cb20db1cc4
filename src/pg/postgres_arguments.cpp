#include "postgres_arguments.hpp"

#include "../core/error.hpp"
#include "boundary.hpp"

namespace ledger::pg {

void require_argument(FunctionCallInfo fcinfo, int n, const char *name) {
    if (PG_ARGISNULL(n)) {
        throw MoneyError(ErrorKind::null_value, std::string(name) + " must not be NULL");
    }
}

void require_length(const std::string &value, std::size_t max_bytes, const char *what) {
    if (value.size() > max_bytes) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         std::string(what) + " is " + std::to_string(value.size()) +
                             " bytes long; at most " + std::to_string(max_bytes) + " are allowed");
    }
}

std::size_t array_length_arg(FunctionCallInfo fcinfo, int n) {
    return pg_call([fcinfo, n]() noexcept {
        ArrayType *array = PG_GETARG_ARRAYTYPE_P(n);
        return static_cast<std::size_t>(ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array)));
    });
}

ArrayElements array_arg(FunctionCallInfo fcinfo, int n, Oid element_type, const char *name) {
    const int dimensions =
        pg_call([fcinfo, n]() noexcept { return ARR_NDIM(PG_GETARG_ARRAYTYPE_P(n)); });
    if (dimensions > 1) {
        throw MoneyError(
            ErrorKind::invalid_parameter,
            std::string(name) + " must have one dimension, not " + std::to_string(dimensions));
    }
    Datum *values = nullptr;
    bool *nulls = nullptr;
    int count = 0;
    pg_call([fcinfo, n, element_type, &values, &nulls, &count]() noexcept {
        int16 length = 0;
        bool by_value = false;
        char alignment = 0;
        get_typlenbyvalalign(element_type, &length, &by_value, &alignment);
        deconstruct_array(PG_GETARG_ARRAYTYPE_P(n), element_type, length, by_value, alignment,
                          &values, &nulls, &count);
    });
    ArrayElements elements;
    elements.values.assign(values, values + count);
    elements.nulls.assign(nulls, nulls + count);
    return elements;
}

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
