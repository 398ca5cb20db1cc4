// What both fuzz harnesses share: how a broken invariant is reported, and the registry of custom
// currencies they parse against.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "currency.hpp"

// A broken invariant aborts, so that libFuzzer keeps the input as a crash.
#define FUZZ_CHECK(condition)                                                                 \
    do {                                                                                      \
        if (!(condition)) {                                                                   \
            std::fprintf(stderr, "%s: invariant failed at line %d: %s\n", __FILE__, __LINE__, \
                         #condition);                                                         \
            std::abort();                                                                     \
        }                                                                                     \
    } while (false)

namespace ledger_fuzz {

// Knows one currency with the most minor units allowed (ETH, 18) and one with none (PTS).
inline std::optional<int> resolve(const ledger::CurrencyCode &code) {
    if (code.view() == "ETH") {
        return 18;
    }
    if (code.view() == "PTS") {
        return 0;
    }
    return std::nullopt;
}

}  // namespace ledger_fuzz
