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
// ledger.custom_currencies, which lists it, and as a function ledger."currency:CODE"() that
// returns its minor units. Lookups read the function. pg_dump restores functions before any
// table data, whereas table data comes back in name order, so a table in schema "accounts" would
// otherwise be restored before the currencies its values need.
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

Lookup query_registered(const char *code) {
    return pg_call([code]() noexcept {
        Lookup lookup;
        List *name = list_make2(makeString(pstrdup("ledger")),
                                makeString(psprintf("%s%s", kDefinitionPrefix, code)));
        const Oid definition = LookupFuncName(name, 0, nullptr, true);
        if (!OidIsValid(definition)) {
            return lookup;
        }
        HeapTuple row = SearchSysCache1(PROCOID, ObjectIdGetDatum(definition));
        if (!HeapTupleIsValid(row)) {
            return lookup;
        }
        const TransactionId creator = HeapTupleHeaderGetXmin(row->t_data);
        ReleaseSysCache(row);
        lookup.found = true;
        lookup.committed = !TransactionIdIsCurrentTransactionId(creator);
        lookup.minor_units = DatumGetInt32(OidFunctionCall0(definition));
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
            SPI_execute(psprintf("COMMENT ON FUNCTION ledger.%s() IS 'minor units of %s, "
                                 "registered by ledger.create_currency; never drop or replace'",
                                 definition, code.c_str()),
                        false, 0);
        }
        SPI_finish();
        return inserted;
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
            const std::optional<int> existing = find_registered(currency.code);
            throw MoneyError(ErrorKind::duplicate_currency,
                             "currency \"" + std::string(currency.code.view()) +
                                 "\" is already registered with " +
                                 std::to_string(existing.value_or(-1)) + " minor units",
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
