// ledger.sum(monetary): an exact running total (the core's ExactSum) kept in place in the
// aggregate's memory, so that a row costs three integer additions and no allocation; the range
// is checked once, on the final total. Serialisable, so it runs in parallel.
#include <cstring>
#include <type_traits>

#include "../core/error.hpp"
#include "../core/exact_sum.hpp"
#include "../core/money.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"

using namespace ledger;
using namespace ledger::pg;

namespace {

// Lives in the aggregate's memory context; trivially destructible, since PostgreSQL frees it.
struct SumState {
    MonetaryDatum currency;  // the first value: its code and minor units tag the total
    ExactSum total;
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

SumState *new_state(FunctionCallInfo fcinfo, const SumState &initial) {
    MemoryContext context = aggregate_context(fcinfo);
    auto *state = static_cast<SumState *>(
        pg_call([context]() noexcept { return MemoryContextAlloc(context, sizeof(SumState)); }));
    *state = initial;
    return state;
}

StoredMinorUnits stored_amount(const MonetaryDatum &value) {
    return {value.amount_low, value.amount_high};
}

// Throws currency_mismatch, through the core's addition, when the two differ.
void require_same_currency(const MonetaryDatum &a, const MonetaryDatum &b) {
    if (!same_currency(a, b)) {
        add(to_money(a), to_money(b));
    }
}

// A state as the aggregate's result. No state yet must be SQL NULL, not a null pointer: the
// strict serialize function is only skipped for NULL, and would read through the pointer.
Datum state_datum(FunctionCallInfo fcinfo, SumState *state) {
    if (state == nullptr) {
        PG_RETURN_NULL();
    }
    return PointerGetDatum(state);
}

}  // namespace

// sum's transition: (state, value) -> state; NULL values are skipped.
LEDGER_FUNCTION(monetary_sum_step) {
    return at_boundary([&] {
        SumState *state = state_arg(fcinfo, 0);
        if (PG_ARGISNULL(1)) {
            return state_datum(fcinfo, state);
        }
        const MonetaryDatum &value = *monetary_arg(fcinfo, 1);
        if (state == nullptr) {
            return PointerGetDatum(new_state(fcinfo, {value, ExactSum::of(stored_amount(value))}));
        }
        require_same_currency(state->currency, value);
        state->total.add(stored_amount(value));
        return PointerGetDatum(state);
    });
}

// Combines two partial sums from parallel workers.
LEDGER_FUNCTION(monetary_sum_combine) {
    return at_boundary([&] {
        SumState *left = state_arg(fcinfo, 0);
        SumState *right = state_arg(fcinfo, 1);
        if (right == nullptr) {
            return state_datum(fcinfo, left);
        }
        if (left == nullptr) {
            return PointerGetDatum(new_state(fcinfo, *right));
        }
        require_same_currency(left->currency, right->currency);
        left->total.add(right->total);
        return PointerGetDatum(left);
    });
}

LEDGER_FUNCTION(monetary_sum_final) {
    return at_boundary([&]() -> Datum {
        const SumState *state = state_arg(fcinfo, 0);
        if (state == nullptr) {
            PG_RETURN_NULL();
        }
        MonetaryDatum result = state->currency;
        const StoredMinorUnits total = state->total.total();
        result.amount_low = total.low;
        result.amount_high = total.high;
        return money_datum(to_money(result));
    });
}

// A partial sum crosses between processes as the bytes of its state: the currency tag and the
// unchecked wide total (a partial total may lie outside the range that the final one is in).
LEDGER_FUNCTION(monetary_sum_serialize) {
    return at_boundary([&] {
        const SumState *state = state_arg(fcinfo, 0);
        if (state == nullptr) {
            throw MoneyError(ErrorKind::internal, "ledger.sum has no state to serialize");
        }
        return pg_call([state]() noexcept {
            bytea *bytes = static_cast<bytea *>(palloc(VARHDRSZ + sizeof(SumState)));
            SET_VARSIZE(bytes, VARHDRSZ + sizeof(SumState));
            std::memcpy(VARDATA(bytes), state, sizeof(SumState));
            return PointerGetDatum(bytes);
        });
    });
}

LEDGER_FUNCTION(monetary_sum_deserialize) {
    return at_boundary([&] {
        const bytea *bytes = pg_call([fcinfo]() noexcept { return PG_GETARG_BYTEA_PP(0); });
        if (VARSIZE_ANY_EXHDR(bytes) != sizeof(SumState)) {
            throw MoneyError(ErrorKind::internal,
                             "a serialized ledger.sum state has the wrong size");
        }
        SumState state;
        std::memcpy(&state, VARDATA_ANY(bytes), sizeof(SumState));
        return PointerGetDatum(new_state(fcinfo, state));
    });
}
