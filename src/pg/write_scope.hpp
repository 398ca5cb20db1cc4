// The ledger's own writes: the triggers on ledger.accounts and ledger.balances let rows change
// only while a ledger function holds a WriteScope.
#pragma once

namespace ledger::pg {

// Allows ledger writes for as long as it lives. C++ unwinding (every PostgreSQL error inside
// pg_call becomes an exception) always closes it.
class WriteScope {
  public:
    WriteScope();
    ~WriteScope();
    WriteScope(const WriteScope &) = delete;
    WriteScope &operator=(const WriteScope &) = delete;
};

// True while a ledger function is writing.
bool ledger_write_in_progress();

}  // namespace ledger::pg
