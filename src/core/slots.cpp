#include "slots.hpp"

#include <string>

#include "error.hpp"
#include "invariant.hpp"

namespace ledger {

bool slot_can_pay(const SlotState &slot, const Money &amount) {
    return !slot.min_share || compare(subtract(slot.balance, amount), *slot.min_share) >= 0;
}

bool slot_can_receive(const SlotState &slot, const Money &amount) {
    return !slot.max_share || compare(add(slot.balance, amount), *slot.max_share) <= 0;
}

std::vector<Money> even_parts(const Money &value, int parts) {
    LEDGER_INVARIANT(parts >= 1 && parts <= kMaxSlots);
    const MinorUnits count = parts;
    // Floor division: the remainder is then in [0, parts), whatever the sign of value.
    MinorUnits quotient = value.amount / count;
    if (quotient * count > value.amount) {
        quotient -= 1;
    }
    const MinorUnits remainder = value.amount - quotient * count;
    LEDGER_INVARIANT(remainder >= 0 && remainder < count);
    std::vector<Money> result;
    result.reserve(parts);
    MinorUnits total = 0;
    for (int part = 0; part < parts; ++part) {
        const MinorUnits units = part < remainder ? quotient + 1 : quotient;
        result.push_back(Money{units, value.currency});
        total += units;
    }
    LEDGER_INVARIANT(total == value.amount);
    return result;
}

std::vector<std::optional<Money>> even_limit_parts(const std::optional<Money> &limit, int parts) {
    std::vector<std::optional<Money>> result(parts);
    if (limit) {
        const std::vector<Money> split = even_parts(*limit, parts);
        for (int part = 0; part < parts; ++part) {
            result[part] = split[part];
        }
    }
    return result;
}

void require_slot_count(std::int64_t slots) {
    if (slots < 1 || slots > kMaxSlots) {
        throw MoneyError(ErrorKind::invalid_parameter, "an account has 1 to " +
                                                           std::to_string(kMaxSlots) +
                                                           " slots, not " + std::to_string(slots));
    }
}

}  // namespace ledger
