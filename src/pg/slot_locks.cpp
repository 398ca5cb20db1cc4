#include "slot_locks.hpp"

#include <unordered_map>

#include "../core/error.hpp"
#include "boundary.hpp"
#include "monetary_datum.hpp"
#include "spi.hpp"

namespace ledger::pg {
namespace {

SavedStatement g_lock_slot(
    "SELECT slot, slots, is_external, balance, min_share, max_share, version "
    "FROM ledger.balances WHERE account_id = $1 AND slot = $2 FOR NO KEY UPDATE",
    {INT8OID, INT2OID});
SavedStatement g_try_slot(
    "SELECT slot, slots, is_external, balance, min_share, max_share, version "
    "FROM ledger.balances WHERE account_id = $1 AND slot = $2 FOR NO KEY UPDATE SKIP LOCKED",
    {INT8OID, INT2OID});
SavedStatement g_lock_every_slot(
    "SELECT slot, slots, is_external, balance, min_share, max_share, version "
    "FROM ledger.balances WHERE account_id = $1 ORDER BY slot FOR NO KEY UPDATE",
    {INT8OID});

// A join with the array, not `= ANY($1)`: a sequential scan would search the array once per
// row. Rows are locked in the ORDER BY's order.
SavedStatement g_lock_first_slots(
    "SELECT b.account_id, b.slot, b.slots, b.is_external, b.balance, b.min_share, b.max_share, "
    "b.version FROM unnest($1::int8[]) AS u(id) JOIN ledger.balances b "
    "ON b.account_id = u.id AND b.slot = 0 ORDER BY b.account_id FOR NO KEY UPDATE OF b",
    {INT8ARRAYOID});
SavedStatement g_peek_slots(
    "SELECT b.account_id, b.slots, b.min_share IS NOT NULL, b.max_share IS NOT NULL "
    "FROM unnest($1::int8[]) AS u(id) JOIN ledger.balances b ON b.account_id = u.id AND b.slot = 0",
    {INT8ARRAYOID});

struct SlotRow {
    SlotState state;
    std::int16_t slots = 1;
    bool external = false;
};

std::optional<Money> optional_money(std::uint64_t row, int column) {
    if (column_is_null(row, column)) {
        return std::nullopt;
    }
    return to_money(monetary_column(row, column));
}

// A row of slot columns starting at column `first` (slot, slots, is_external, balance,
// min_share, max_share, version).
SlotRow read_row(std::uint64_t row, int first = 1) {
    SlotRow result;
    result.state.slot = int16_column(row, first);
    result.slots = int16_column(row, first + 1);
    result.external = bool_column(row, first + 2);
    result.state.balance = to_money(monetary_column(row, first + 3));
    result.state.min_share = optional_money(row, first + 4);
    result.state.max_share = optional_money(row, first + 5);
    result.state.version = int64_column(row, first + 6);
    return result;
}

std::optional<SlotRow> lock_one(std::int64_t account, std::int16_t slot, bool wait) {
    const Datum values[2] = {Int64GetDatum(account), Int16GetDatum(slot)};
    if ((wait ? g_lock_slot : g_try_slot).run(values, nullptr) != 1) {
        return std::nullopt;
    }
    return read_row(0);
}

// What this backend last saw of an account's slots: where to start, without a query. A stale
// hint costs a wait or a probe, never correctness: every decision reads the locked rows.
struct SlotHint {
    std::int16_t slots = 1;
    bool has_min = false;
    bool has_max = false;
};
std::unordered_map<std::int64_t, SlotHint> g_hints;
constexpr std::size_t kMaxHints = 65536;
// Under REPEATABLE READ the snapshot never sees a concurrent split's rows: give up soon.
constexpr int kLockEveryAttempts = 3;
Oid g_hints_for = InvalidOid;  // the ledger.monetary the hints were made under

// Hints name accounts by id: a DROP and CREATE EXTENSION in this backend's life reuses ids.
void forget_hints_of_dropped_ledger() {
    const Oid current = monetary_type_oid();
    if (current != g_hints_for) {
        g_hints.clear();
        g_hints_for = current;
    }
}

void remember(std::int64_t account, const SlotRow &row) {
    forget_hints_of_dropped_ledger();
    if (g_hints.size() >= kMaxHints) {
        g_hints.clear();
    }
    g_hints[account] =
        SlotHint{row.slots, row.state.min_share.has_value(), row.state.max_share.has_value()};
}

bool limited(const SlotDemand &demand, bool has_min, bool has_max) {
    return (demand.pays && has_min) || (demand.receives && has_max);
}

// Whether this slot can take the account's side of every transfer in the demand.
bool can_take(const SlotDemand &demand, const SlotState &slot) {
    if (!limited(demand, slot.min_share.has_value(), slot.max_share.has_value())) {
        return true;
    }
    if (!demand.only_amount) {
        return false;
    }
    const Money &amount = *demand.only_amount;
    if (amount.currency != slot.balance.currency || amount.amount <= 0) {
        return true;  // refused by the transfer's own checks, with their error
    }
    return (!demand.pays || slot_can_pay(slot, amount)) &&
           (!demand.receives || slot_can_receive(slot, amount));
}

LockedAccount holding(std::int64_t account, const SlotRow &row) {
    LockedAccount locked;
    locked.id = account;
    locked.external = row.external;
    locked.slots_in_use = row.slots;
    locked.all_held = row.slots == 1;
    locked.held.push_back(row.state);
    return locked;
}

// Probes of a split account with limits run in a subtransaction: a probed slot that cannot take
// the transfer stays locked until the subtransaction ends, and rolling it back releases those
// locks before the wait for every slot in order. Always closed: an error on the way out rolls
// it back before PostgreSQL's own handling (of the caller's exception block, say) runs.
class ProbeSubtransaction {
  public:
    ProbeSubtransaction() : context_(CurrentMemoryContext), owner_(CurrentResourceOwner) {
        pg_call([]() noexcept { BeginInternalSubTransaction(nullptr); });
        // The statements run in the caller's memory context, under the subtransaction's
        // resource owner, which the subtransaction's end releases.
        MemoryContextSwitchTo(context_);
    }
    ~ProbeSubtransaction() {
        if (open_) {
            // Already unwinding: a failure to roll back surfaces when the transaction aborts.
            if (ErrorData *error = catch_postgres_error(
                    [](void *) { RollbackAndReleaseCurrentSubTransaction(); }, nullptr)) {
                FreeErrorData(error);
            }
            restore();
        }
    }
    ProbeSubtransaction(const ProbeSubtransaction &) = delete;
    ProbeSubtransaction &operator=(const ProbeSubtransaction &) = delete;

    void keep() {
        open_ = false;
        pg_call([]() noexcept { ReleaseCurrentSubTransaction(); });
        restore();
    }
    void release() {
        open_ = false;
        pg_call([]() noexcept { RollbackAndReleaseCurrentSubTransaction(); });
        restore();
    }

  private:
    void restore() {
        MemoryContextSwitchTo(context_);
        CurrentResourceOwner = owner_;
    }
    MemoryContext context_;
    ResourceOwner owner_;
    bool open_ = true;
};

// SKIP LOCKED does not always skip. A slot row's old version whose xmax is a MultiXact (a lock
// taken in a probe's subtransaction, then the update of its parent) with a committed update makes
// PostgreSQL lock the newer versions as well, and that waits for their holder whatever the wait
// policy (heap_lock_updated_tuple). A snapshot from before that commit (REPEATABLE READ, or a
// statement that started just before it) meets such versions. A probe holds slots of the account
// it probes, so such a wait is out of slot order and can close a cycle with a caller that locks
// every slot. Probes therefore run with a lock_timeout of 1 ms: the wait ends as "busy".
constexpr const char *kProbeLockTimeout = "1";  // milliseconds

bool lock_timed_out(const PgError &error) {
    return error.data()->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE;
}

// When the statement timeout and the probe's lock timeout have both fired, PostgreSQL reports the
// one due first, and a tie as the lock timeout. A probe's "busy" must not swallow the statement
// timeout: if its time has passed, the error becomes the statement timeout's. (A user's cancel
// that coincides cannot be told apart afterwards; its window is the probe's 1 ms wait.)
bool statement_timeout_passed() noexcept {
    if (StatementTimeout <= 0) {
        return false;
    }
    const TimestampTz due = get_timeout_finish_time(STATEMENT_TIMEOUT);
    return due != 0 && GetCurrentTimestamp() >= due;
}

void report_statement_timeout(ErrorData *error) {
    pg_call([error]() noexcept {
        error->sqlerrcode = ERRCODE_QUERY_CANCELED;
        error->message = pstrdup("canceling statement due to statement timeout");
    });
}

// Sets lock_timeout for the probes of one subtransaction; its end (either way) undoes it too.
class ProbeLockTimeout {
  public:
    ProbeLockTimeout() {
        level_ = pg_call([]() noexcept {
            const int level = NewGUCNestLevel();
            (void)set_config_option("lock_timeout", kProbeLockTimeout, PGC_USERSET, PGC_S_SESSION,
                                    GUC_ACTION_SAVE, true, 0, false);
            return level;
        });
    }
    // Only on the way out of a subtransaction that did not fail: a failed one is rolled back,
    // which restores the setting.
    void restore() {
        const int level = level_;
        pg_call([level]() noexcept { AtEOXact_GUC(true, level); });
    }

  private:
    int level_ = 0;
};

// What probing found: a slot that can take the demand, or whether some free slot could not, or
// that a probe was made to wait (then the subtransaction must be rolled back).
struct Probed {
    std::optional<SlotRow> usable;
    bool saw_unfit = false;
    bool made_to_wait = false;
};

// Tries each slot in use once, without waiting, from a start that differs between backends.
Probed probe(std::int64_t account, const SlotHint &hint, const SlotDemand &demand) {
    Probed probed;
    const int start = MyProcPid % hint.slots;
    for (int step = 0; step < hint.slots; ++step) {
        const auto slot = static_cast<std::int16_t>((start + step) % hint.slots);
        std::optional<SlotRow> row;
        try {
            row = lock_one(account, slot, false);
        } catch (const PgError &error) {
            if (!lock_timed_out(error)) {
                throw;
            }
            if (pg_call([]() noexcept { return statement_timeout_passed(); })) {
                report_statement_timeout(error.data());
                throw;
            }
            ErrorData *data = error.data();
            pg_call([data]() noexcept { FreeErrorData(data); });
            probed.usable.reset();
            probed.made_to_wait = true;
            return probed;
        }
        if (!row) {
            continue;
        }
        remember(account, *row);  // a hint gone stale (merged, split) is corrected here
        if (row->state.slot >= row->slots) {
            continue;
        }
        if (can_take(demand, row->state)) {
            probed.usable = row;
            return probed;
        }
        probed.saw_unfit = true;
    }
    return probed;
}

std::optional<LockedAccount> lock_every_slot_in_use(std::int64_t account) {
    std::optional<LockedAccount> every = lock_every_slot(account);
    if (every) {
        every->held.resize(every->slots_in_use);
    }
    return every;
}

}  // namespace

void learn_slots(const std::vector<std::int64_t> &accounts) {
    forget_hints_of_dropped_ledger();
    std::vector<std::int64_t> unknown;
    for (const std::int64_t account : accounts) {
        if (g_hints.find(account) == g_hints.end()) {
            unknown.push_back(account);
        }
    }
    if (unknown.empty()) {
        return;
    }
    const Datum values[1] = {int8_array(unknown)};
    const std::uint64_t rows = g_peek_slots.run(values, nullptr);
    if (g_hints.size() + rows >= kMaxHints) {
        g_hints.clear();
    }
    for (std::uint64_t row = 0; row < rows; ++row) {
        g_hints[int64_column(row, 1)] =
            SlotHint{int16_column(row, 2), bool_column(row, 3), bool_column(row, 4)};
    }
}

bool has_one_slot(std::int64_t account) {
    forget_hints_of_dropped_ledger();
    const auto hint = g_hints.find(account);
    return hint != g_hints.end() && hint->second.slots == 1;
}

std::vector<LockedAccount> lock_first_slots(const std::vector<std::int64_t> &ascending,
                                            const std::vector<SlotDemand> &demands) {
    const Datum values[1] = {int8_array(ascending)};
    const std::uint64_t rows = g_lock_first_slots.run(values, nullptr);
    std::vector<LockedAccount> locked;
    locked.reserve(rows);
    std::size_t next = 0;
    for (std::uint64_t row = 0; row < rows; ++row) {
        const std::int64_t account = int64_column(row, 1);
        while (next < ascending.size() && ascending[next] != account) {
            ++next;  // no row: the account does not exist
        }
        LEDGER_INVARIANT(next < ascending.size());
        const SlotRow slot = read_row(row, 2);
        remember(account, slot);
        if (slot.slots != 1 && !can_take(demands[next], slot.state)) {
            // Split since this backend last looked: waiting for its other slots now could wait
            // out of account order.
            throw MoneyError(ErrorKind::retry,
                             "account " + std::to_string(account) +
                                 " was split into slots while the call started",
                             "Make the same call again.");
        }
        locked.push_back(holding(account, slot));
    }
    return locked;
}

std::optional<LockedAccount> lock_every_slot(std::int64_t account) {
    // A split that commits while this statement waits adds rows its snapshot cannot see; the
    // rows it did lock then say more slots than it returned. In READ COMMITTED the statement
    // again, with a new snapshot, locks the new rows too (the others are already held).
    for (int attempt = 0; attempt < kLockEveryAttempts; ++attempt) {
        const Datum values[1] = {Int64GetDatum(account)};
        const std::uint64_t rows = g_lock_every_slot.run(values, nullptr);
        if (rows == 0) {
            return std::nullopt;
        }
        const SlotRow first = read_row(0);
        LockedAccount locked = holding(account, first);
        locked.all_held = true;
        bool whole = first.state.slot == 0 && first.slots <= static_cast<int>(rows);
        for (std::uint64_t row = 1; row < rows; ++row) {
            const SlotRow next = read_row(row);
            whole = whole && next.slots == first.slots && next.state.slot == static_cast<int>(row);
            locked.held.push_back(next.state);
        }
        if (whole) {
            remember(account, first);
            return locked;
        }
    }
    throw MoneyError(ErrorKind::retry,
                     "the slots of account " + std::to_string(account) +
                         " changed while this call waited for them",
                     "Make the same call again.");
}

std::optional<LockedAccount> lock_slots(std::int64_t account, const SlotDemand &demand) {
    forget_hints_of_dropped_ledger();
    if (g_hints.find(account) == g_hints.end()) {
        // First use in this backend: read how many slots it has, rather than wait for slot 0.
        learn_slots({account});
    }
    const auto hint = g_hints.find(account);
    if (hint == g_hints.end()) {
        return std::nullopt;
    }
    const SlotHint known = hint->second;
    if (known.slots <= 1) {
        // Most accounts have one slot: wait for it. If the account turns out to be split, slot 0
        // is one of its slots, and the only one held so far.
        const std::optional<SlotRow> first = lock_one(account, 0, true);
        if (!first) {
            return std::nullopt;
        }
        remember(account, *first);
        if (first->slots == 1 || can_take(demand, first->state)) {
            return holding(account, *first);
        }
        return lock_every_slot_in_use(account);
    }
    // A split account: try its slots without waiting. The probes run in a subtransaction, so
    // that the slots they locked but cannot use (unfit, or retired since the hint) are released
    // before this call waits for a slot of the account.
    bool saw_unfit = false;
    {
        ProbeSubtransaction probing;
        ProbeLockTimeout timeout;
        const Probed probed = probe(account, known, demand);
        if (probed.made_to_wait) {
            probing.release();  // failed: rolling it back restores lock_timeout
        } else if (probed.usable) {
            timeout.restore();
            probing.keep();
            return holding(account, *probed.usable);
        } else {
            timeout.restore();
            probing.release();
            saw_unfit = probed.saw_unfit;
        }
    }
    const bool is_limited = limited(demand, known.has_min, known.has_max);
    if (is_limited && saw_unfit) {
        return lock_every_slot_in_use(account);  // the slow path: decide on the whole balance
    }
    // Every slot was busy: wait for one (in a subtransaction too, so that a slot retired or
    // unfit meanwhile is released before the next wait), else for slot 0, always in use.
    const SlotHint fresh = g_hints.count(account) != 0 ? g_hints.at(account) : known;
    std::optional<SlotRow> waited;
    {
        ProbeSubtransaction waiting;
        waited = lock_one(account, static_cast<std::int16_t>(MyProcPid % fresh.slots), true);
        if (waited && waited->state.slot < waited->slots && can_take(demand, waited->state)) {
            waiting.keep();
            remember(account, *waited);
            return holding(account, *waited);
        }
        waiting.release();
    }
    if (is_limited) {
        return lock_every_slot_in_use(account);
    }
    waited = lock_one(account, 0, true);
    if (!waited) {
        return std::nullopt;
    }
    remember(account, *waited);
    return holding(account, *waited);
}

}  // namespace ledger::pg
