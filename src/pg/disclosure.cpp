#include "disclosure.hpp"

#include "boundary.hpp"

namespace ledger::pg {
namespace {

// True when `table` does not exist (ledger.balances under the 1.0 SQL objects) or the caller
// reads all of it; row-level security that applies to the caller hides some rows.
bool reads_all_of(Oid schema, const char *table, Oid caller) noexcept {
    const Oid relation = get_relname_relid(table, schema);
    return !OidIsValid(relation) ||
           (pg_class_aclcheck(relation, caller, ACL_SELECT) == ACLCHECK_OK &&
            check_enable_rls(relation, caller, true) != RLS_ENABLED);
}

}  // namespace

bool caller_reads_accounts() {
    return pg_call([]() noexcept {
        const Oid schema = get_namespace_oid("ledger", false);
        const Oid caller = GetOuterUserId();
        return OidIsValid(get_relname_relid("accounts", schema)) &&
               reads_all_of(schema, "accounts", caller) && reads_all_of(schema, "balances", caller);
    });
}

}  // namespace ledger::pg
