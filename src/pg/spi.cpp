#include "spi.hpp"

#include <memory>

#include "boundary.hpp"

namespace ledger::pg {
namespace {

Oid g_monetary_oid = InvalidOid;
uint32 g_monetary_hash = 0;  // of g_monetary_oid in the TYPEOID syscache
bool g_callback_registered = false;

// A change to ledger.monetary's pg_type row (DROP EXTENSION, for one) or a full cache reset
// (hash 0) forgets its OID; statements prepared with the old one are prepared again on next use.
void forget_monetary_type(Datum, int, uint32 hash) {
    if (hash == 0 || hash == g_monetary_hash) {
        g_monetary_oid = InvalidOid;
    }
}

Datum column(std::uint64_t row, int column, bool *is_null) {
    return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, is_null);
}

}  // namespace

Oid monetary_type_oid() {
    if (!g_callback_registered) {
        pg_call([]() noexcept { CacheRegisterSyscacheCallback(TYPEOID, forget_monetary_type, 0); });
        g_callback_registered = true;
    }
    if (!OidIsValid(g_monetary_oid)) {
        const Oid oid = pg_call([]() noexcept {
            return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("monetary"),
                                   ObjectIdGetDatum(get_namespace_oid("ledger", false)));
        });
        g_monetary_hash = pg_call(
            [oid]() noexcept { return GetSysCacheHashValue1(TYPEOID, ObjectIdGetDatum(oid)); });
        g_monetary_oid = oid;
    }
    return g_monetary_oid;
}

SpiSession::SpiSession() {
    pg_call([]() noexcept { SPI_connect(); });
}

void SpiSession::finish() {
    pg_call([]() noexcept { SPI_finish(); });
}

SavedStatement::SavedStatement(const char *sql, std::initializer_list<Oid> types)
    : sql_(sql), types_(types) {}

std::uint64_t SavedStatement::run(const Datum *values, const char *nulls, long max_rows) {
    const Oid monetary_oid = monetary_type_oid();
    if (plan_ == nullptr || prepared_with_ != monetary_oid) {
        if (plan_ != nullptr) {
            SPIPlanPtr stale = plan_;
            plan_ = nullptr;
            pg_call([stale]() noexcept { SPI_freeplan(stale); });
        }
        std::vector<Oid> resolved = types_;
        for (Oid &type : resolved) {
            if (type == monetary) {
                type = monetary_oid;
            } else if (type == monetary_array) {
                type = pg_call([monetary_oid]() noexcept { return get_array_type(monetary_oid); });
            }
        }
        Oid *argtypes = resolved.data();
        const int count = static_cast<int>(resolved.size());
        const char *sql = sql_;
        plan_ = pg_call([sql, count, argtypes]() noexcept {
            SPIPlanPtr plan = SPI_prepare(sql, count, argtypes);
            if (plan == nullptr) {
                elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
                     SPI_result_code_string(SPI_result));
            }
            SPI_keepplan(plan);
            return plan;
        });
        prepared_with_ = monetary_oid;
    }
    SPIPlanPtr plan = plan_;
    return pg_call([plan, values, nulls, max_rows]() noexcept {
        const int rc = SPI_execute_plan(plan, const_cast<Datum *>(values), nulls, false, max_rows);
        if (rc < 0) {
            elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
        }
        return static_cast<std::uint64_t>(SPI_processed);
    });
}

Datum text_param(const std::string &value) {
    return pg_call([&value]() noexcept { return CStringGetTextDatum(value.c_str()); });
}

// The element datums are prepared outside pg_call: no C++ object may live inside a call that
// PostgreSQL could leave by longjmp.
Datum int8_array(const std::vector<std::int64_t> &values) {
    std::vector<Datum> datums(values.size());
    for (std::size_t index = 0; index < values.size(); ++index) {
        datums[index] = Int64GetDatum(values[index]);
    }
    Datum *elements = datums.data();
    const int count = static_cast<int>(datums.size());
    return pg_call([elements, count]() noexcept {
        return PointerGetDatum(
            construct_array(elements, count, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
    });
}

Datum int2_array(const std::vector<std::int16_t> &values) {
    std::vector<Datum> datums(values.size());
    for (std::size_t index = 0; index < values.size(); ++index) {
        datums[index] = Int16GetDatum(values[index]);
    }
    Datum *elements = datums.data();
    const int count = static_cast<int>(datums.size());
    return pg_call([elements, count]() noexcept {
        return PointerGetDatum(construct_array(elements, count, INT2OID, 2, true, TYPALIGN_SHORT));
    });
}

Datum monetary_array(const std::vector<MonetaryDatum> &values) {
    return monetary_array(values, std::vector<bool>(values.size(), true));
}

Datum monetary_array(const std::vector<MonetaryDatum> &values, const std::vector<bool> &present) {
    const Oid monetary_oid = monetary_type_oid();
    std::vector<Datum> datums(values.size());
    std::unique_ptr<bool[]> nulls(new bool[values.size() + 1]);
    for (std::size_t index = 0; index < values.size(); ++index) {
        datums[index] = PointerGetDatum(&values[index]);
        nulls[index] = !present[index];
    }
    Datum *elements = datums.data();
    bool *flags = nulls.get();
    const int count = static_cast<int>(datums.size());
    return pg_call([elements, flags, count, monetary_oid]() noexcept {
        int dims[1] = {count};
        int lower_bounds[1] = {1};
        return PointerGetDatum(construct_md_array(elements, flags, 1, dims, lower_bounds,
                                                  monetary_oid, sizeof(MonetaryDatum), false,
                                                  TYPALIGN_DOUBLE));
    });
}

namespace {

// A one-dimensional varlena array; `nulls` marks NULL elements.
Datum varlena_array(std::vector<Datum> &datums, std::unique_ptr<bool[]> &nulls, Oid element_type) {
    Datum *elements = datums.data();
    bool *flags = nulls.get();
    const int count = static_cast<int>(datums.size());
    return pg_call([elements, flags, count, element_type]() noexcept {
        int dims[1] = {count};
        int lower_bounds[1] = {1};
        return PointerGetDatum(construct_md_array(elements, flags, 1, dims, lower_bounds,
                                                  element_type, -1, false, TYPALIGN_INT));
    });
}

}  // namespace

Datum text_array(const std::vector<std::optional<std::string>> &values) {
    std::vector<Datum> datums(values.size());
    std::unique_ptr<bool[]> nulls(new bool[values.size() + 1]);
    for (std::size_t index = 0; index < values.size(); ++index) {
        nulls[index] = !values[index];
        datums[index] = values[index] ? text_param(*values[index]) : Datum(0);
    }
    return varlena_array(datums, nulls, TEXTOID);
}

Datum jsonb_array(const std::vector<Datum> &values, const std::vector<bool> &present) {
    std::vector<Datum> datums(values);
    std::unique_ptr<bool[]> nulls(new bool[values.size() + 1]);
    for (std::size_t index = 0; index < values.size(); ++index) {
        nulls[index] = !present[index];
    }
    return varlena_array(datums, nulls, JSONBOID);
}

std::int16_t int16_column(std::uint64_t row, int number) {
    return pg_call([row, number]() noexcept {
        bool is_null = false;
        return DatumGetInt16(column(row, number, &is_null));
    });
}

bool column_is_null(std::uint64_t row, int number) {
    bool is_null = false;
    pg_call([row, number, &is_null]() noexcept { column(row, number, &is_null); });
    return is_null;
}

std::int64_t int64_column(std::uint64_t row, int number) {
    return pg_call([row, number]() noexcept {
        bool is_null = false;
        return DatumGetInt64(column(row, number, &is_null));
    });
}

bool bool_column(std::uint64_t row, int number) {
    return pg_call([row, number]() noexcept {
        bool is_null = false;
        const Datum value = column(row, number, &is_null);
        return !is_null && DatumGetBool(value);
    });
}

MonetaryDatum monetary_column(std::uint64_t row, int number) {
    return pg_call([row, number]() noexcept {
        bool is_null = false;
        return *reinterpret_cast<const MonetaryDatum *>(
            DatumGetPointer(column(row, number, &is_null)));
    });
}

}  // namespace ledger::pg
