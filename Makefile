# PGXS build of the ledger extension. Override PG_CONFIG to build for another PostgreSQL.
PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config

EXTENSION = ledger
# Every install script (ledger--V.sql) and update script (ledger--A--B.sql); see README, Upgrading.
DATA = $(wildcard ledger--*.sql)
MODULE_big = ledger

CORE_OBJS = src/core/allocation.o src/core/batch.o src/core/binary.o src/core/currency.o src/core/exact_sum.o \
            src/core/invariant.o src/core/minor_units.o src/core/money.o src/core/posting.o \
            src/core/rounding.o src/core/slots.o src/core/text.o
GLUE_OBJS = src/pg/module.o src/pg/boundary.o src/pg/currency_registry.o src/pg/monetary_datum.o \
            src/pg/monetary_io.o src/pg/monetary_numeric.o src/pg/monetary_ops.o src/pg/monetary_sum.o \
            src/pg/monetary_rounding.o src/pg/postgres_arguments.o src/pg/posting.o \
            src/pg/ledger_functions.o src/pg/ledger_triggers.o src/pg/spi.o \
            src/pg/write_scope.o src/pg/disclosure.o src/pg/slot_locks.o src/pg/batch_posting.o \
            src/pg/transfer_many.o src/pg/slot_admin.o src/pg/feed.o src/pg/feed_worker.o
OBJS = $(CORE_OBJS) $(GLUE_OBJS)

REGRESS = monetary_io monetary_ops monetary_numeric currencies ledger hostile ordering registry \
          first_use jit slots feed
REGRESS_OPTS = --inputdir=. --outputdir=build/regress
ISOLATION = opposite_transfers concurrent_withdrawals idempotency repeatable_read \
            duplicate_currency \
            concurrent_deposits slot_slow_path slot_overdraw slot_external_busy slot_key_race \
            slot_admin_race transfer_many_race feed_late_commit feed_lock_order feed_prepared
ISOLATION_OPTS = --inputdir=. --outputdir=build/isolation

GENERATED = src/core/iso4217_table.inc
EXTRA_CLEAN = $(GENERATED) build

include cxx.mk

$(GENERATED): data/iso4217.csv scripts/gen_currency_table.sh
	sh scripts/gen_currency_table.sh $< > $@

src/core/currency.o src/core/currency.bc: $(GENERATED)
# PGXS tracks no header dependencies; any header change rebuilds every object.
$(OBJS) $(OBJS:.o=.bc): $(wildcard src/core/*.hpp src/pg/*.hpp)

# C++ unit tests and fuzz harnesses of the core, which needs no PostgreSQL.
include test/core.mk
