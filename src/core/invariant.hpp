// Invariant checks of the money core. A broken invariant is a bug, never the caller's fault, but
// the core runs inside a database server, where abort() would end every session: so a failed
// check throws MoneyError(ErrorKind::internal) naming the condition, the file and the line, and
// the server reports it as an error of one statement. Checks stay on in every build.
#pragma once

// Boost.Multiprecision checks its own invariants with BOOST_ASSERT, which is assert() and so
// aborts. With the handler enabled, they call boost::assertion_failed(), defined in
// invariant.cpp to throw like LEDGER_INVARIANT. Every file that includes Boost does so through
// minor_units.hpp, which includes this header first, so all of them agree on the setting.
#ifndef BOOST_ENABLE_ASSERT_HANDLER
#define BOOST_ENABLE_ASSERT_HANDLER
#endif

namespace ledger {

// Throws MoneyError(ErrorKind::internal, "internal error: invariant failed: <expression> at
// <file>:<line>").
[[noreturn]] void invariant_failed(const char *expression, const char *file, int line);

}  // namespace ledger

// Checks `condition`; throws through ledger::invariant_failed when it is false.
#define LEDGER_INVARIANT(condition)                                     \
    do {                                                                \
        if (!(condition)) {                                             \
            ::ledger::invariant_failed(#condition, __FILE__, __LINE__); \
        }                                                               \
    } while (false)
