#include "posting.hpp"

#include <string>

#include "error.hpp"
#include "invariant.hpp"
#include "text.hpp"

namespace ledger {
namespace {

std::string account_name(const AccountState &account) {
    return "account " + std::to_string(account.id);
}

void require_currency(const AccountState &account, const Money &amount) {
    if (account.balance.currency != amount.currency) {
        // "1.00000000 TMQ (8 decimals)" when only the minor units differ.
        const Currency &held = account.balance.currency;
        const std::string offered = format_amount(amount.amount, amount.currency.minor_units) +
                                    " " + currency_name_beside(amount.currency, held);
        throw MoneyError(ErrorKind::account_currency_mismatch,
                         account_name(account) + " holds " +
                             currency_name_beside(held, amount.currency) + ", not " + offered);
    }
}

AccountState with_balance(const AccountState &account, const Money &balance) {
    AccountState next = account;
    next.balance = balance;
    next.version = account.version + 1;
    return next;
}

}  // namespace

void require_positive(const Money &amount) {
    if (amount.amount <= 0) {
        throw MoneyError(ErrorKind::non_positive_amount,
                         "transfer amount must be positive, not " + format_money(amount));
    }
}

PlannedTransfer plan_transfer(const AccountState &from, const AccountState &to, const Money &amount,
                              std::optional<ExpectedVersion> expected) {
    require_positive(amount);
    if (from.id == to.id) {
        throw MoneyError(ErrorKind::same_account,
                         "cannot transfer from " + account_name(from) + " to itself");
    }
    // The caller's own account is named first: an external account shares its currency.
    require_currency(from.external ? to : from, amount);
    require_currency(from.external ? from : to, amount);
    if (expected) {
        const AccountState &checked = expected->account_id == to.id ? to : from;
        LEDGER_INVARIANT(expected->account_id == checked.id);
        if (checked.version != expected->version) {
            throw MoneyError(
                ErrorKind::version_conflict,
                account_name(checked) + " is not at the expected version " +
                    std::to_string(expected->version),
                "Read the account again and retry with its current version.",
                account_name(checked) + " is at version " + std::to_string(checked.version) + ".");
        }
    }
    const Money from_balance = subtract(from.balance, amount);
    if (from.min_balance && compare(from_balance, *from.min_balance) < 0) {
        throw MoneyError(ErrorKind::insufficient_funds,
                         "insufficient funds: paying " + format_money(amount) + " would take " +
                             account_name(from) + " below its minimum balance",
                         {},
                         account_name(from) + " has " + format_money(from.balance) +
                             "; paying would leave " + format_money(from_balance) +
                             ", below its minimum " + format_money(*from.min_balance) + ".");
    }
    const Money to_balance = add(to.balance, amount);
    if (to.max_balance && compare(to_balance, *to.max_balance) > 0) {
        throw MoneyError(ErrorKind::above_max_balance,
                         "receiving " + format_money(amount) + " would take " + account_name(to) +
                             " above its maximum balance",
                         {},
                         account_name(to) + " has " + format_money(to.balance) +
                             "; receiving would make " + format_money(to_balance) +
                             ", above its maximum " + format_money(*to.max_balance) + ".");
    }
    PlannedTransfer planned{with_balance(from, from_balance), with_balance(to, to_balance)};
    // Money is moved, never made: what one side loses the other gains.
    LEDGER_INVARIANT(subtract(from.balance, planned.from_after.balance).amount == amount.amount);
    LEDGER_INVARIANT(subtract(planned.to_after.balance, to.balance).amount == amount.amount);
    return planned;
}

}  // namespace ledger
