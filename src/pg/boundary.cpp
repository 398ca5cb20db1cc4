#include "boundary.hpp"

#include <cstdio>
#include <new>

#include "../core/error.hpp"
#include "sqlstate.hpp"

namespace ledger::pg {
namespace {

void set_message(PendingError &pending, int sqlstate, const char *message, const char *hint) {
    pending.sqlstate = sqlstate;
    std::snprintf(pending.message, sizeof pending.message, "%s", message);
    std::snprintf(pending.hint, sizeof pending.hint, "%s", hint);
}

}  // namespace

void capture_current_exception(PendingError &pending) noexcept {
    try {
        throw;
    } catch (const PgError &error) {
        pending.postgres_error = error.data();
    } catch (const MoneyError &error) {
        set_message(pending, sqlstate_for(error.kind()), error.what(), error.hint().c_str());
    } catch (const std::bad_alloc &) {
        set_message(pending, ERRCODE_OUT_OF_MEMORY, "out of memory in ledger", "");
    } catch (const std::exception &error) {
        set_message(pending, ERRCODE_INTERNAL_ERROR, error.what(), "");
    } catch (...) {
        set_message(pending, ERRCODE_INTERNAL_ERROR, "unknown C++ exception in ledger", "");
    }
}

void raise_pending(const PendingError &pending) {
    if (pending.postgres_error != nullptr) {
        ReThrowError(pending.postgres_error);
    }
    ereport(ERROR, (errcode(pending.sqlstate), errmsg("%s", pending.message),
                    pending.hint[0] != '\0' ? errhint("%s", pending.hint) : 0));
    pg_unreachable();
}

ErrorData *catch_postgres_error(void (*thunk)(void *), void *argument) noexcept {
    MemoryContext context = CurrentMemoryContext;
    ErrorData *volatile error = nullptr;
    PG_TRY();
    { thunk(argument); }
    PG_CATCH();
    {
        // CopyErrorData must not run in ErrorContext; FlushErrorState clears the error so that
        // the C++ code on the way to the boundary runs in a sane state.
        MemoryContextSwitchTo(context);
        error = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    return error;
}

}  // namespace ledger::pg
