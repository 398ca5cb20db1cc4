#include "feed_worker.hpp"

#include "boundary.hpp"

extern "C" {
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "utils/varlena.h"
}

namespace ledger::pg {
namespace {

int g_feed_interval_ms = 100;
char *g_feed_databases = nullptr;
constexpr int kMaxWorkers = 16;
constexpr int kRestartSeconds = 10;

// One tick in a transaction of its own, READ COMMITTED whatever the database's default, and only
// where the extension (1.1 or later: the feed) is installed. Plain PostgreSQL calls only: it
// runs under catch_postgres_error, which a failure leaves by longjmp.
void tick_once(void *) noexcept {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    SPI_connect();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, "SELECT ledger.feed_try_tick()");
    SPI_execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", false, 0);
    const int found = SPI_execute(
        "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'ledger' "
        "AND pg_catalog.to_regprocedure('ledger.feed_try_tick()') IS NOT NULL",
        true, 1);
    if (found == SPI_OK_SELECT && SPI_processed == 1) {
        SPI_execute("SELECT ledger.feed_try_tick()", false, 1);
    }
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_stat(false);
    pgstat_report_activity(STATE_IDLE, nullptr);
}

// A failed tick is logged and rolled back; the worker goes on with the next.
void tick_and_recover() noexcept {
    if (ErrorData *error = catch_postgres_error(tick_once, nullptr)) {
        ereport(LOG, (errmsg("ledger feed worker: a tick failed: %s", error->message)));
        FreeErrorData(error);
        AbortCurrentTransaction();
        pgstat_report_activity(STATE_IDLE, nullptr);
    }
}

}  // namespace

void register_feed_workers() {
    if (!process_shared_preload_libraries_in_progress) {
        return;
    }
    DefineCustomIntVariable("ledger.feed_interval",
                            "How often the feed's background worker ticks, in milliseconds.",
                            nullptr, &g_feed_interval_ms, 100, 10, 3600 * 1000, PGC_SIGHUP,
                            GUC_UNIT_MS, nullptr, nullptr, nullptr);
    DefineCustomStringVariable(
        "ledger.feed_databases",
        "Databases in which a background worker ticks the change feed (comma-separated).", nullptr,
        &g_feed_databases, "", PGC_POSTMASTER, GUC_LIST_INPUT, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("ledger");

    char *list = pstrdup(g_feed_databases);
    List *names = NIL;
    if (!SplitIdentifierString(list, ',', &names)) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("ledger.feed_databases is not a list of database names: \"%s\"",
                               g_feed_databases)));
    }
    if (list_length(names) > kMaxWorkers) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("ledger.feed_databases names %d databases, at most %d",
                               list_length(names), kMaxWorkers)));
    }
    ListCell *cell = nullptr;
    foreach (cell, names) {
        const char *database = static_cast<const char *>(lfirst(cell));
        BackgroundWorker worker;
        memset(&worker, 0, sizeof(worker));
        worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
        worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
        worker.bgw_restart_time = kRestartSeconds;
        snprintf(worker.bgw_library_name, BGW_MAXLEN, "ledger");
        snprintf(worker.bgw_function_name, BGW_MAXLEN, "ledger_feed_worker_main");
        snprintf(worker.bgw_name, BGW_MAXLEN, "ledger feed worker for %s", database);
        snprintf(worker.bgw_type, BGW_MAXLEN, "ledger feed worker");
        snprintf(worker.bgw_extra, BGW_EXTRALEN, "%s", database);
        RegisterBackgroundWorker(&worker);
    }
}

}  // namespace ledger::pg

// The worker: connects to its database and ticks every ledger.feed_interval until the postmaster
// stops it (SIGTERM) or dies; SIGHUP rereads the interval.
extern "C" PGDLLEXPORT void ledger_feed_worker_main(Datum) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    char database[BGW_EXTRALEN];
    snprintf(database, sizeof(database), "%s", MyBgworkerEntry->bgw_extra);
    BackgroundWorkerInitializeConnection(database, nullptr, 0);
    for (;;) {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                        ledger::pg::g_feed_interval_ms, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        ledger::pg::tick_and_recover();
    }
}
