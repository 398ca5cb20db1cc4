#include "boundary.hpp"

#include <cstdio>
#include <new>

#include "../core/error.hpp"
#include "sqlstate.hpp"

namespace ledger::pg {
namespace {

// Copies `text`, cut if need be at a character boundary: messages quote caller input (an
// idempotency key, say) and must stay valid UTF-8.
template <std::size_t N>
void copy_text(char (&target)[N], const char *text) {
    const int written = std::snprintf(target, N, "%s", text);
    if (written < 0 || static_cast<std::size_t>(written) < N) {
        return;
    }
    std::size_t end = N - 1;
    std::size_t lead = end;
    while (lead > 0 && (static_cast<unsigned char>(target[lead - 1]) & 0xC0) == 0x80) {
        --lead;
    }
    if (lead > 0) {
        const auto first = static_cast<unsigned char>(target[lead - 1]);
        const std::size_t length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1;
        if (lead - 1 + length > end) {
            end = lead - 1;
        }
    }
    target[end] = '\0';
}

void set_message(PendingError &pending, int sqlstate, const char *message, const char *hint,
                 const char *detail = "") {
    pending.sqlstate = sqlstate;
    copy_text(pending.message, message);
    copy_text(pending.detail, detail);
    copy_text(pending.hint, hint);
}

}  // namespace

void capture_current_exception(PendingError &pending) noexcept {
    try {
        throw;
    } catch (const PgError &error) {
        pending.postgres_error = error.data();
    } catch (const MoneyError &error) {
        set_message(pending, sqlstate_for(error.kind()), error.what(), error.hint().c_str(),
                    error.detail().c_str());
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
                    pending.detail[0] != '\0' ? errdetail("%s", pending.detail) : 0,
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
