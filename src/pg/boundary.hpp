// The boundary between C++ and PostgreSQL, in both directions, and the only place that crosses it.
//
// PostgreSQL reports errors with longjmp, which skips C++ destructors; C++ reports errors with
// exceptions, which must never unwind through PostgreSQL's C frames. So:
//  * every SQL-callable function is declared with LEDGER_FUNCTION and runs its body through
//    at_boundary(), which catches every C++ exception and raises it as a PostgreSQL error only
//    after the catch block has been left, when no C++ object of the body is alive;
//  * every call into PostgreSQL made while C++ objects are alive goes through pg_call(), which
//    catches the PostgreSQL error, carries it out as a PgError exception (so destructors run),
//    and at_boundary() re-raises it unchanged: SQLSTATE, message, detail and hint intact.
#pragma once

#include <type_traits>

#include "postgres_headers.hpp"

namespace ledger::pg {

// A PostgreSQL error caught by pg_call(), on its way to the boundary.
class PgError {
  public:
    explicit PgError(ErrorData *data) : data_(data) {}
    ErrorData *data() const { return data_; }

  private:
    ErrorData *data_;
};

// An error waiting to be raised once the C++ frames are gone. Trivially destructible on purpose:
// it is alive when ereport() jumps away.
struct PendingError {
    ErrorData *postgres_error = nullptr;  // re-raised as it was
    int sqlstate = 0;
    char message[512] = {};
    char detail[512] = {};
    char hint[256] = {};
};

// Fills `pending` from the exception being handled; call only inside a catch block.
void capture_current_exception(PendingError &pending) noexcept;
[[noreturn]] void raise_pending(const PendingError &pending);

// Runs `body` (returning a Datum) and turns any exception into a PostgreSQL error.
template <typename Body>
Datum at_boundary(Body &&body) noexcept {
    PendingError pending;
    try {
        return body();
    } catch (...) {
        capture_current_exception(pending);
    }
    raise_pending(pending);
}

// Runs thunk(argument) under PG_TRY; returns the PostgreSQL error it raised, or nullptr. The
// only setjmp in the extension, so no C++ frame of ours lies between it and a longjmp.
ErrorData *catch_postgres_error(void (*thunk)(void *), void *argument) noexcept;

// Calls PostgreSQL and turns its error into a PgError exception. `call` must be a noexcept lambda
// that only calls PostgreSQL and keeps no C++ object with a destructor of its own: a longjmp out
// of it skips whatever it had on its stack.
template <typename Call>
auto pg_call(Call &&call) -> decltype(call()) {
    static_assert(noexcept(call()), "pg_call takes a noexcept lambda");
    using Lambda = std::remove_reference_t<Call>;
    using Result = decltype(call());
    if constexpr (std::is_void_v<Result>) {
        auto thunk = [](void *lambda) noexcept { (*static_cast<Lambda *>(lambda))(); };
        if (ErrorData *error = catch_postgres_error(thunk, &call)) {
            throw PgError(error);
        }
    } else {
        static_assert(std::is_trivially_copyable_v<Result>, "pg_call returns plain values");
        struct Frame {
            Lambda *call;
            Result result;
        } frame{&call, {}};
        auto thunk = [](void *argument) noexcept {
            auto *target = static_cast<Frame *>(argument);
            target->result = (*target->call)();
        };
        if (ErrorData *error = catch_postgres_error(thunk, &frame)) {
            throw PgError(error);
        }
        return frame.result;
    }
}

}  // namespace ledger::pg

// Declares an SQL-callable function with C linkage; its body returns at_boundary(...).
#define LEDGER_FUNCTION(name)  \
    extern "C" {               \
    PG_FUNCTION_INFO_V1(name); \
    }                          \
    extern "C" Datum name(PG_FUNCTION_ARGS)
