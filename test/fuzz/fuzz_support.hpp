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

// Knows one currency with the most minor units allowed (ETH, 18), one with none (PTS), and INF,
// which could be registered before the codes that spell non-finite numbers were reserved: its
// values must still read back.
inline std::optional<int> resolve(const ledger::CurrencyCode &code) {
    if (code.view() == "ETH") {
        return 18;
    }
    if (code.view() == "PTS") {
        return 0;
    }
    if (code.view() == "INF") {
        return 2;
    }
    return std::nullopt;
}

}  // namespace ledger_fuzz
