// User-registered currencies: lookups with a per-backend cache, registration, and the list of
// built-in ones.
#include <map>
#include <optional>
#include <string>

#include "../core/currency.hpp"
#include "../core/error.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"
#include "postgres_arguments.hpp"

namespace ledger::pg {
namespace {

// Each registered currency is recorded twice, in one transaction: as a row of
// ledger.custom_currencies, which lists it, and as a function ledger."currency:CODE"() whose body
// is the constant number of its minor units. Lookups read the function's catalog row. pg_dump
// restores functions before any table data, whereas table data comes back in name order, so a
// table in schema "accounts" would otherwise be restored before the currencies its values need.
//
// The function is read as data, never executed: a lookup runs inside type input, which may run
// where no snapshot is active (parse analysis after COMMIT in a procedure), and executing SQL
// there crashes the server. Only a definition the extension could have made is trusted: owned by
// the extension's owner (or a superuser: pg_restore may give it its dumped owner), LANGUAGE sql,
// no arguments, returning integer, and a body that is one integer constant from 0 to 18.
//
// Registered currencies never change, so a committed definition is cached for the life of the
// backend. One made by the current transaction is not: it might roll back. Any change to
// pg_proc (dropping the extension, for one) empties the cache.
std::map<std::string, int> g_committed_currencies;
bool g_invalidation_registered = false;

void forget_currencies(Datum, int, uint32) {
    g_committed_currencies.clear();
}

constexpr const char *kDefinitionPrefix = "currency:";

struct Lookup {
    bool found = false;
    bool committed = false;
    int minor_units = 0;
};

// The owner of the ledger extension, read with a catalog snapshot; InvalidOid if it is not
// installed.
Oid extension_owner() noexcept {
    Oid owner = InvalidOid;
    Relation extensions = table_open(ExtensionRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
                CStringGetDatum("ledger"));
    SysScanDesc scan = systable_beginscan(extensions, ExtensionNameIndexId, true, nullptr, 1, &key);
    if (HeapTuple row = systable_getnext(scan); HeapTupleIsValid(row)) {
        owner = reinterpret_cast<Form_pg_extension>(GETSTRUCT(row))->extowner;
    }
    systable_endscan(scan);
    table_close(extensions, AccessShareLock);
    return owner;
}

// The minor units a definition's body states, or -1 unless the body is exactly `RETURN n`
// with 0 <= n <= 18: a plain SELECT of one integer constant, nothing else.
int constant_body(HeapTuple definition) noexcept {
    bool is_null = true;
    const Datum body = SysCacheGetAttr(PROCOID, definition, Anum_pg_proc_prosqlbody, &is_null);
    if (is_null) {
        return -1;
    }
    Node *node = static_cast<Node *>(stringToNode(TextDatumGetCString(body)));
    if (node == nullptr || !IsA(node, Query)) {
        return -1;
    }
    const Query *query = castNode(Query, node);
    const bool plain =
        query->commandType == CMD_SELECT && query->rtable == NIL &&
        (query->jointree == nullptr ||
         (query->jointree->fromlist == NIL && query->jointree->quals == nullptr)) &&
        query->cteList == NIL && query->groupClause == NIL && query->havingQual == nullptr &&
        query->sortClause == NIL && query->limitCount == nullptr && query->limitOffset == nullptr &&
        query->setOperations == nullptr && !query->hasAggs && !query->hasWindowFuncs &&
        !query->hasTargetSRFs && !query->hasSubLinks && list_length(query->targetList) == 1;
    if (!plain) {
        return -1;
    }
    const auto *target = linitial_node(TargetEntry, query->targetList);
    if (target->expr == nullptr || !IsA(target->expr, Const)) {
        return -1;
    }
    const auto *constant = castNode(Const, target->expr);
    if (constant->constisnull || constant->consttype != INT4OID) {
        return -1;
    }
    const int32 minor_units = DatumGetInt32(constant->constvalue);
    return minor_units >= 0 && minor_units <= kMaxCurrencyMinorUnits ? minor_units : -1;
}

bool trusted_shape(const Form_pg_proc proc, Oid owner) noexcept {
    return proc->prolang == SQLlanguageId && proc->prokind == PROKIND_FUNCTION &&
           !proc->proretset && proc->prorettype == INT4OID && proc->pronargs == 0 &&
           OidIsValid(owner) && (proc->proowner == owner || superuser_arg(proc->proowner));
}

Lookup query_registered(const char *code) {
    return pg_call([code]() noexcept {
        Lookup lookup;
        const Oid schema = get_namespace_oid("ledger", true);
        if (!OidIsValid(schema)) {
            return lookup;
        }
        const char *name = psprintf("%s%s", kDefinitionPrefix, code);
        HeapTuple row =
            SearchSysCache3(PROCNAMEARGSNSP, CStringGetDatum(name),
                            PointerGetDatum(buildoidvector(nullptr, 0)), ObjectIdGetDatum(schema));
        if (!HeapTupleIsValid(row)) {
            return lookup;
        }
        const auto proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(row));
        const int minor_units = trusted_shape(proc, extension_owner()) ? constant_body(row) : -1;
        const TransactionId creator = HeapTupleHeaderGetXmin(row->t_data);
        ReleaseSysCache(row);
        if (minor_units < 0) {
            return lookup;  // not a definition the extension made: not a currency
        }
        lookup.found = true;
        lookup.committed = !TransactionIdIsCurrentTransactionId(creator);
        lookup.minor_units = minor_units;
        return lookup;
    });
}

std::optional<int> find_registered(const CurrencyCode &code) {
    const std::string key(code.view());
    if (auto hit = g_committed_currencies.find(key); hit != g_committed_currencies.end()) {
        return hit->second;
    }
    if (!g_invalidation_registered) {
        pg_call([]() noexcept { CacheRegisterSyscacheCallback(PROCOID, forget_currencies, 0); });
        g_invalidation_registered = true;
    }
    const Lookup lookup = query_registered(key.c_str());
    if (!lookup.found) {
        return std::nullopt;
    }
    if (lookup.committed) {
        g_committed_currencies.emplace(key, lookup.minor_units);
    }
    return lookup.minor_units;
}

// Inserts the currency; false when the code is already registered.
bool insert_registered(const Currency &currency, text *name) {
    const std::string code(currency.code.view());
    const int minor_units = currency.minor_units;
    return pg_call([&code, minor_units, name]() noexcept {
        SPI_connect();
        Oid types[3] = {TEXTOID, INT2OID, TEXTOID};
        Datum values[3] = {CStringGetTextDatum(code.c_str()), Int16GetDatum(minor_units),
                           PointerGetDatum(name)};
        const char nulls[3] = {' ', ' ', name == nullptr ? 'n' : ' '};
        if (SPI_execute_with_args("INSERT INTO ledger.custom_currencies (code, minor_units, name) "
                                  "VALUES ($1, $2, $3) "
                                  "ON CONFLICT (code) DO NOTHING",
                                  3, types, values, nulls, false, 0) != SPI_OK_INSERT) {
            elog(ERROR, "could not register currency %s", code.c_str());
        }
        const bool inserted = SPI_processed == 1;
        if (inserted) {
            const char *definition =
                quote_identifier(psprintf("%s%s", kDefinitionPrefix, code.c_str()));
            if (SPI_execute(psprintf("CREATE FUNCTION ledger.%s() RETURNS integer LANGUAGE sql "
                                     "IMMUTABLE PARALLEL SAFE RETURN %d",
                                     definition, minor_units),
                            false, 0) != SPI_OK_UTILITY) {
                elog(ERROR, "could not record currency %s", code.c_str());
            }
            // Dropped with the extension, yet dumped and restored on its own, before table data.
            if (SPI_execute(
                    psprintf("ALTER FUNCTION ledger.%s() DEPENDS ON EXTENSION ledger", definition),
                    false, 0) != SPI_OK_UTILITY) {
                elog(ERROR, "could not tie currency %s to the extension", code.c_str());
            }
            SPI_execute(psprintf("COMMENT ON FUNCTION ledger.%s() IS 'minor units of %s, "
                                 "registered by ledger.create_currency; never drop or replace'",
                                 definition, code.c_str()),
                        false, 0);
        }
        SPI_finish();
        return inserted;
    });
}

// The minor units a committed registration of `code` has, read with a new snapshot: a
// concurrent registration that made ours conflict has committed by now. -1 if none is found.
int committed_minor_units(const std::string &code) {
    return pg_call([&code]() noexcept {
        SPI_connect();
        Oid types[1] = {TEXTOID};
        Datum values[1] = {CStringGetTextDatum(code.c_str())};
        int minor_units = -1;
        if (SPI_execute_with_args("SELECT minor_units::int FROM ledger.custom_currencies "
                                  "WHERE code = $1",
                                  1, types, values, nullptr, false, 1) == SPI_OK_SELECT &&
            SPI_processed == 1) {
            bool is_null = true;
            const Datum value =
                SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null);
            minor_units = is_null ? -1 : DatumGetInt32(value);
        }
        SPI_finish();
        return minor_units;
    });
}

}  // namespace

const CurrencyResolver &registered_currencies() {
    static const CurrencyResolver resolver = find_registered;
    return resolver;
}

}  // namespace ledger::pg

using namespace ledger;
using namespace ledger::pg;

// ledger.create_currency(code text, minor_units int, name text) returns text
LEDGER_FUNCTION(ledger_create_currency) {
    return at_boundary([&] {
        if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
            throw MoneyError(ErrorKind::null_value,
                             "currency code and minor units must not be NULL");
        }
        const Currency currency = validate_new_currency(text_arg(fcinfo, 0), PG_GETARG_INT32(1));
        text *name = PG_ARGISNULL(2)
                         ? nullptr
                         : pg_call([fcinfo]() noexcept { return PG_GETARG_TEXT_PP(2); });
        if (!insert_registered(currency, name)) {
            const std::string code(currency.code.view());
            const int existing = committed_minor_units(code);
            throw MoneyError(
                ErrorKind::duplicate_currency,
                "currency \"" + code + "\" is already registered" +
                    (existing >= 0 ? " with " + std::to_string(existing) + " minor units"
                                   : std::string()),
                "A registered currency never changes: its stored amounts depend on "
                "it.");
        }
        const std::string code(currency.code.view());
        return pg_call([&code]() noexcept { return CStringGetTextDatum(code.c_str()); });
    });
}

// ledger.iso_currencies() returns the built-in table as rows.
LEDGER_FUNCTION(ledger_iso_currencies) {
    return at_boundary([&] {
        pg_call([fcinfo]() noexcept {
            InitMaterializedSRF(fcinfo, 0);
            auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
            for (const IsoCurrency *c = iso_currencies_begin(); c != iso_currencies_end(); ++c) {
                Datum values[5] = {CStringGetTextDatum(c->code), Int32GetDatum(c->numeric_code),
                                   Int16GetDatum(c->minor_units), CStringGetTextDatum(c->name),
                                   BoolGetDatum(c->is_fund)};
                bool nulls[5] = {false, false, false, false, false};
                tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
            }
        });
        return static_cast<Datum>(0);
    });
}
