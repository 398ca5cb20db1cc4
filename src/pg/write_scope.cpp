#include "write_scope.hpp"

namespace ledger::pg {
namespace {

int g_write_depth = 0;

}  // namespace

WriteScope::WriteScope() {
    ++g_write_depth;
}

WriteScope::~WriteScope() {
    --g_write_depth;
}

bool ledger_write_in_progress() {
    return g_write_depth > 0;
}

}  // namespace ledger::pg
