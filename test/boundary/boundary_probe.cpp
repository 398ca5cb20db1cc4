// Entry points that exercise the boundary from SQL. Each keeps a Tracked object alive while an
// error is raised; boundary_probe_destroyed() reports how many of them were destroyed, which
// shows that no longjmp skipped a C++ destructor.
#include <new>
#include <stdexcept>
#include <string>

#include "../../src/core/error.hpp"
#include "../../src/pg/boundary.hpp"

using namespace ledger;
using namespace ledger::pg;

extern "C" {
PG_MODULE_MAGIC;
}

namespace {

int g_destroyed = 0;

struct Tracked {
    std::string payload = std::string(64, 'x');  // owns heap memory, as real code would
    ~Tracked() { ++g_destroyed; }
};

}  // namespace

// A PostgreSQL error raised inside pg_call, two C++ objects alive in the body.
LEDGER_FUNCTION(boundary_probe_postgres_error) {
    return at_boundary([&]() -> Datum {
        Tracked outer;
        Tracked inner;
        pg_call([]() noexcept {
            ereport(ERROR, (errcode(ERRCODE_CHECK_VIOLATION),
                            errmsg("probe: raised by PostgreSQL inside pg_call"),
                            errdetail("the detail survives"), errhint("the hint survives")));
        });
        return Int32GetDatum(-1);  // not reached
    });
}

// A ledger error thrown by C++ with one object alive.
LEDGER_FUNCTION(boundary_probe_money_error) {
    return at_boundary([&]() -> Datum {
        Tracked alive;
        throw MoneyError(ErrorKind::currency_mismatch, "probe: thrown by C++", "a C++ hint");
    });
}

// Exceptions that are not the ledger's own still become PostgreSQL errors.
LEDGER_FUNCTION(boundary_probe_foreign_exception) {
    return at_boundary([&]() -> Datum {
        Tracked alive;
        if (PG_GETARG_INT32(0) == 1) {
            throw std::bad_alloc();
        }
        throw std::logic_error("probe: a logic_error");
    });
}

LEDGER_FUNCTION(boundary_probe_destroyed) {
    return at_boundary([&] { return Int32GetDatum(g_destroyed); });
}
