#include "spi.hpp"

#include "boundary.hpp"

namespace ledger::pg {
namespace {

Oid g_monetary_oid = InvalidOid;
std::uint64_t g_types_generation = 1;
bool g_callback_registered = false;

// Any change to pg_type may have dropped ledger.monetary; plans prepared with its old OID are
// re-prepared on next use.
void forget_types(Datum, int, uint32) {
    g_monetary_oid = InvalidOid;
    ++g_types_generation;
}

Datum column(std::uint64_t row, int column, bool *is_null) {
    return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, is_null);
}

}  // namespace

Oid monetary_type_oid() {
    if (!g_callback_registered) {
        pg_call([]() noexcept { CacheRegisterSyscacheCallback(TYPEOID, forget_types, 0); });
        g_callback_registered = true;
    }
    if (!OidIsValid(g_monetary_oid)) {
        g_monetary_oid = pg_call([]() noexcept {
            return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("monetary"),
                                   ObjectIdGetDatum(get_namespace_oid("ledger", false)));
        });
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
    if (plan_ == nullptr || prepared_for_ != g_types_generation) {
        std::vector<Oid> resolved = types_;
        for (Oid &type : resolved) {
            if (type == monetary) {
                type = monetary_oid;
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
        prepared_for_ = g_types_generation;
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
