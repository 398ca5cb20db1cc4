// The one place PostgreSQL's C headers enter C++. Nothing in src/core includes this file.
#pragma once

extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/fmgrprotos.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "access/stratnum.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "storage/lmgr.h"
#include "utils/guc.h"
#include "storage/proc.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/selfuncs.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rls.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
}

// PostgreSQL's port layer redefines these as macros, which clash with the C++ library.
#undef snprintf
#undef vsnprintf
