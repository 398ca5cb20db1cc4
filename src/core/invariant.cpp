#include "invariant.hpp"

#include <boost/assert.hpp>
#include <cstring>
#include <string>

#include "error.hpp"

namespace ledger {
namespace {

// The file's name without its directories: messages do not depend on where it was built.
const char *base_name(const char *file) {
    const char *slash = std::strrchr(file, '/');
    return slash == nullptr ? file : slash + 1;
}

}  // namespace

void invariant_failed(const char *expression, const char *file, int line) {
    throw MoneyError(ErrorKind::internal,
                     std::string("internal error: invariant failed: ") + expression + " at " +
                         base_name(file) + ":" + std::to_string(line),
                     "This is a bug in the ledger extension; please report it.");
}

}  // namespace ledger

// Boost's handlers for BOOST_ASSERT and BOOST_ASSERT_MSG (see invariant.hpp). A Boost check that
// fails inside one of Boost's own noexcept functions still ends in std::terminate: Boost, not
// the ledger, declared those functions unable to throw.
namespace boost {

void assertion_failed(char const *expression, char const *, char const *file, long line) {
    ledger::invariant_failed(expression, file, static_cast<int>(line));
}

void assertion_failed_msg(char const *expression, char const *message, char const *,
                          char const *file, long line) {
    const std::string described = std::string(expression) + " (" + message + ")";
    ledger::invariant_failed(described.c_str(), file, static_cast<int>(line));
}

}  // namespace boost
