// Which figures a refusal may show: balances, limits, versions and other transfers appear in an
// error's detail only for callers who could read them anyway.
#pragma once

#include <cstdint>

#include "../core/error.hpp"

namespace ledger::pg {

// Whether the role at the other end of the call may read every row of the ledger's account and
// balance tables. The writing functions run as the extension's owner, so the outer user is
// asked, not the current one.
bool caller_reads_accounts();

// Runs a posting; a refusal keeps its detail only for callers who read the accounts.
template <typename Posting>
auto disclosing_only_to_readers(Posting &&posting) -> decltype(posting()) {
    try {
        return posting();
    } catch (MoneyError &error) {
        if (!error.detail().empty() && !caller_reads_accounts()) {
            error.drop_detail();
        }
        throw;
    }
}

}  // namespace ledger::pg
