// ledger.sum(monetary): a running total kept in place in the aggregate's memory, so that a row
// costs one checked addition and no allocation. Serialisable, so it runs in parallel.
#include <cstring>
#include <type_traits>

#include "../core/error.hpp"
#include "../core/money.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"

using namespace ledger;
using namespace ledger::pg;

namespace {

// Lives in the aggregate's memory context; trivially destructible, since PostgreSQL frees it.
struct SumState {
    MonetaryDatum currency;  // the first value: its code and minor units tag the total
    StoredMinorUnits total;  // converted to a checked Boost integer for each addition
};
static_assert(std::is_trivially_copyable_v<SumState> && std::is_trivially_destructible_v<SumState>);

SumState *state_arg(FunctionCallInfo fcinfo, int n) {
    return PG_ARGISNULL(n) ? nullptr : reinterpret_cast<SumState *>(PG_GETARG_POINTER(n));
}

MemoryContext aggregate_context(FunctionCallInfo fcinfo) {
    MemoryContext context = nullptr;
    if (!AggCheckCallContext(fcinfo, &context)) {
        throw MoneyError(ErrorKind::internal, "ledger.sum support called outside an aggregate");
    }
    return context;
}

SumState *new_state(FunctionCallInfo fcinfo, const MonetaryDatum &first) {
    MemoryContext context = aggregate_context(fcinfo);
    auto *state = static_cast<SumState *>(
        pg_call([context]() noexcept { return MemoryContextAlloc(context, sizeof(SumState)); }));
    state->currency = first;
    state->total = {first.amount_low, first.amount_high};
    return state;
}

Money total_of(const SumState &state) {
    Money money = to_money(state.currency);
    money.amount = from_stored(state.total);
    return money;
}

// total += value, in the currency of both; the core's checked addition does the arithmetic.
void accumulate(SumState &state, const MonetaryDatum &value) {
    if (!same_currency(state.currency, value)) {
        add(total_of(state), to_money(value));  // throws currency_mismatch
    }
    state.total = to_stored(add_minor_units(from_stored(state.total),
                                            from_stored({value.amount_low, value.amount_high})));
}

}  // namespace

// sum's transition: (state, value) -> state; NULL values are skipped.
LEDGER_FUNCTION(monetary_sum_step) {
    return at_boundary([&] {
        SumState *state = state_arg(fcinfo, 0);
        if (PG_ARGISNULL(1)) {
            return PointerGetDatum(state);
        }
        const MonetaryDatum &value = *monetary_arg(fcinfo, 1);
        if (state == nullptr) {
            return PointerGetDatum(new_state(fcinfo, value));
        }
        accumulate(*state, value);
        return PointerGetDatum(state);
    });
}

// Combines two partial sums from parallel workers.
LEDGER_FUNCTION(monetary_sum_combine) {
    return at_boundary([&] {
        SumState *left = state_arg(fcinfo, 0);
        SumState *right = state_arg(fcinfo, 1);
        if (right == nullptr) {
            return PointerGetDatum(left);
        }
        if (left == nullptr) {
            return PointerGetDatum(new_state(fcinfo, to_datum(total_of(*right))));
        }
        if (!same_currency(left->currency, right->currency)) {
            add(total_of(*left), total_of(*right));  // throws currency_mismatch
        }
        left->total =
            to_stored(add_minor_units(from_stored(left->total), from_stored(right->total)));
        return PointerGetDatum(left);
    });
}

LEDGER_FUNCTION(monetary_sum_final) {
    return at_boundary([&]() -> Datum {
        const SumState *state = state_arg(fcinfo, 0);
        if (state == nullptr) {
            PG_RETURN_NULL();
        }
        return money_datum(total_of(*state));
    });
}

// A partial sum crosses between processes as the 24 bytes of its total.
LEDGER_FUNCTION(monetary_sum_serialize) {
    return at_boundary([&] {
        const MonetaryDatum total = to_datum(total_of(*state_arg(fcinfo, 0)));
        return pg_call([&total]() noexcept {
            bytea *bytes = static_cast<bytea *>(palloc(VARHDRSZ + sizeof(MonetaryDatum)));
            SET_VARSIZE(bytes, VARHDRSZ + sizeof(MonetaryDatum));
            std::memcpy(VARDATA(bytes), &total, sizeof(MonetaryDatum));
            return PointerGetDatum(bytes);
        });
    });
}

LEDGER_FUNCTION(monetary_sum_deserialize) {
    return at_boundary([&] {
        const bytea *bytes = pg_call([fcinfo]() noexcept { return PG_GETARG_BYTEA_PP(0); });
        if (VARSIZE_ANY_EXHDR(bytes) != sizeof(MonetaryDatum)) {
            throw MoneyError(ErrorKind::internal,
                             "a serialized ledger.sum state has the wrong size");
        }
        MonetaryDatum total;
        std::memcpy(&total, VARDATA_ANY(bytes), sizeof(MonetaryDatum));
        return PointerGetDatum(new_state(fcinfo, total));
    });
}
