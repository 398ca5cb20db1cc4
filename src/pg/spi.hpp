// SPI for the ledger's functions: one connection per call, and statements prepared once per
// backend and kept. Every call goes through pg_call, so an error inside SPI reaches the boundary
// as PgError; an aborted call's connection is closed by PostgreSQL's transaction cleanup.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "monetary_datum.hpp"
#include "postgres_headers.hpp"

namespace ledger::pg {

// The OID of ledger.monetary, for statement parameters.
Oid monetary_type_oid();

class SpiSession {
  public:
    SpiSession();
    // Closes the connection; call at the end of a successful call only.
    void finish();
};

// A statement prepared on first use and kept for the life of the backend (prepared again, and the
// old plan freed, when ledger.monetary's OID changes, as after DROP and CREATE EXTENSION).
class SavedStatement {
  public:
    // `monetary` in `types` stands for ledger.monetary, whose OID is only known at run time, and
    // `monetary_array` for its array type. (No catalog object has OID 1.)
    static constexpr Oid monetary = InvalidOid;
    static constexpr Oid monetary_array = 1;

    SavedStatement(const char *sql, std::initializer_list<Oid> types);

    // Runs the statement; `nulls` has 'n' for NULL parameters, ' ' otherwise (nullptr: none).
    // Returns the number of rows processed; rows are in SPI_tuptable until the session ends.
    std::uint64_t run(const Datum *values, const char *nulls, long max_rows = 0);

  private:
    const char *sql_;
    std::vector<Oid> types_;
    SPIPlanPtr plan_ = nullptr;
    Oid prepared_with_ = InvalidOid;  // the OID of ledger.monetary the plan was prepared with
};

// Statement parameters. A monetary parameter points at `datum`, which must outlive the run; a
// text parameter is palloc'd in the current memory context.
inline Datum monetary_param(const MonetaryDatum &datum) {
    return PointerGetDatum(const_cast<MonetaryDatum *>(&datum));
}
Datum text_param(const std::string &value);

// One-dimensional array parameters, built in the current memory context. An absent optional
// is a NULL element.
Datum int8_array(const std::vector<std::int64_t> &values);
Datum int2_array(const std::vector<std::int16_t> &values);
Datum monetary_array(const std::vector<MonetaryDatum> &values);
Datum monetary_array(const std::vector<MonetaryDatum> &values, const std::vector<bool> &present);
Datum text_array(const std::vector<std::optional<std::string>> &values);
Datum jsonb_array(const std::vector<Datum> &values, const std::vector<bool> &present);

// Column readers for the current SPI_tuptable. Column numbers start at 1.
bool column_is_null(std::uint64_t row, int column);
std::int64_t int64_column(std::uint64_t row, int column);
bool bool_column(std::uint64_t row, int column);
std::int16_t int16_column(std::uint64_t row, int column);
MonetaryDatum monetary_column(std::uint64_t row, int column);

}  // namespace ledger::pg
