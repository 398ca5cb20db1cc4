# How C++ is compiled against PostgreSQL, shared by the extension and the test-only boundary probe.
# Include it where PGXS would be included; set PG_CONFIG first.

# PostgreSQL's headers are system headers here, so that warnings-as-errors covers our own code.
# -Wno-register: PostgreSQL 15 headers use `register`, which C++17 removed.
LEDGER_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror -Wno-register -fexceptions
PG_CXXFLAGS = $(LEDGER_CXXFLAGS)
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)
# PGXS links with the C compiler.
SHLIB_LINK = -lstdc++

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS also compiles every .cpp to LLVM bitcode for JIT inlining; that rule reads
# BITCODE_CXXFLAGS, not PG_CXXFLAGS.
override BITCODE_CXXFLAGS += -std=c++17 -Wno-register -Wno-ignored-attributes
