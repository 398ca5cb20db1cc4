// ledger.transfer_many(from_accounts, to_accounts, amounts, idempotency_keys, metadata):
// the arrays in, one batch through batch_posting, (item, transfer_id) rows out.
#include <string>

#include "../core/error.hpp"
#include "batch_posting.hpp"
#include "boundary.hpp"
#include "disclosure.hpp"
#include "monetary_datum.hpp"
#include "postgres_arguments.hpp"
#include "spi.hpp"

using namespace ledger;
using namespace ledger::pg;

namespace {

MoneyError item_error(std::size_t index, ErrorKind kind, const std::string &message) {
    return MoneyError(kind, "item " + std::to_string(index + 1) + ": " + message);
}

// An optional array argument: absent, or exactly `count` elements.
ArrayElements optional_array(FunctionCallInfo fcinfo, int n, Oid type, const char *name,
                             std::size_t count) {
    if (PG_ARGISNULL(n)) {
        return ArrayElements{std::vector<Datum>(count, Datum(0)), std::vector<bool>(count, true)};
    }
    if (const std::size_t length = array_length_arg(fcinfo, n); length != count) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         std::string(name) + " has " + std::to_string(length) +
                             " elements, from_accounts " + std::to_string(count));
    }
    return array_arg(fcinfo, n, type, name);
}

PostingBatch batch_from(FunctionCallInfo fcinfo) {
    require_argument(fcinfo, 0, "from_accounts");
    require_argument(fcinfo, 1, "to_accounts");
    require_argument(fcinfo, 2, "amounts");
    // Counted before any array is unpacked: an oversized call costs nothing.
    if (const std::size_t asked = array_length_arg(fcinfo, 0); asked > kMaxBatchItems) {
        throw MoneyError(ErrorKind::invalid_parameter,
                         "transfer_many takes at most " + std::to_string(kMaxBatchItems) +
                             " transfers, not " + std::to_string(asked),
                         "Split the batch into several calls.");
    }
    const ArrayElements from = array_arg(fcinfo, 0, INT8OID, "from_accounts");
    const std::size_t count = from.values.size();
    const ArrayElements to = optional_array(fcinfo, 1, INT8OID, "to_accounts", count);
    const ArrayElements amounts = optional_array(fcinfo, 2, monetary_type_oid(), "amounts", count);
    const ArrayElements keys = optional_array(fcinfo, 3, TEXTOID, "idempotency_keys", count);
    const ArrayElements metadata = optional_array(fcinfo, 4, JSONBOID, "metadata", count);

    PostingBatch batch;
    batch.numbered = true;
    const bool keyed = !PG_ARGISNULL(3);
    for (std::size_t index = 0; index < count; ++index) {
        if (from.nulls[index] || to.nulls[index] || amounts.nulls[index]) {
            throw item_error(index, ErrorKind::null_value,
                             "from_account, to_account and amount must not be NULL");
        }
        TransferItem item;
        item.from_account = DatumGetInt64(from.values[index]);
        item.to_account = DatumGetInt64(to.values[index]);
        item.amount = to_money(
            *reinterpret_cast<const MonetaryDatum *>(DatumGetPointer(amounts.values[index])));
        batch.items.push_back(item);
        if (keyed) {
            std::optional<std::string> key;
            if (!keys.nulls[index]) {
                const Datum value = keys.values[index];
                key = std::string(
                    pg_call([value]() noexcept { return text_to_cstring(DatumGetTextPP(value)); }));
                try {
                    require_length(*key, kMaxKeyBytes, "idempotency key");
                } catch (const MoneyError &error) {
                    throw item_error(index, error.kind(), error.what());
                }
            }
            batch.keys.push_back(key);
        }
        batch.metadata.push_back(metadata.values[index]);
        batch.has_metadata.push_back(!metadata.nulls[index]);
    }
    return batch;
}

}  // namespace

// ledger.transfer_many(...) returns table (item int, transfer_id bigint)
LEDGER_FUNCTION(ledger_transfer_many) {
    return at_boundary([&]() -> Datum {
        const PostingBatch batch = batch_from(fcinfo);
        std::vector<std::int64_t> ids;
        if (!batch.items.empty()) {
            ids = disclosing_only_to_readers([&] { return post_batch(batch); });
        }
        const std::int64_t *id = ids.data();
        const std::size_t count = ids.size();
        pg_call([fcinfo, id, count]() noexcept {
            InitMaterializedSRF(fcinfo, 0);
            auto *result = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
            for (std::size_t index = 0; index < count; ++index) {
                Datum values[2] = {Int32GetDatum(static_cast<int32>(index + 1)),
                                   Int64GetDatum(id[index])};
                bool nulls[2] = {false, false};
                tuplestore_putvalues(result->setResult, result->setDesc, values, nulls);
            }
        });
        return Datum(0);
    });
}
