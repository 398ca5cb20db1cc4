// Posting under the 1.0 SQL objects (one balance per ledger.accounts row), which a server keeps
// using after the 1.1 library is installed and until ALTER EXTENSION ledger UPDATE. The 1.1
// objects post through batch_posting.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "../core/posting.hpp"
#include "postgres_headers.hpp"

namespace ledger::pg {

struct TransferRequest {
    std::int64_t from_account = 0;
    std::int64_t to_account = 0;
    Money amount;
    std::optional<std::string> idempotency_key;
    Datum metadata = 0;  // jsonb, valid while the call lasts
    bool has_metadata = false;
    std::optional<std::int64_t> expected_version;  // of the caller's account (see below)
};

// Which side of a deposit or withdrawal the external account of the amount's currency takes.
enum class ExternalSide { source, destination };

// Moves the money and returns the transfer id (the original one for a repeated idempotency key).
// expected_version applies to from_account.
std::int64_t post_transfer(const TransferRequest &request);

// The same with the external account of the amount's currency on one side; expected_version
// applies to the other, the caller's, account.
std::int64_t post_external(TransferRequest request, ExternalSide external_side);

}  // namespace ledger::pg
