// The ledger's SQLSTATEs (README, "Error codes") as exception classes, so callers can write
// `catch (e) { if (e instanceof InsufficientFunds) ... }` instead of comparing strings.
import pg from 'pg';

export class LedgerError extends Error {
  constructor(message, { sqlstate, cause } = {}) {
    super(message, { cause });
    this.name = new.target.name;
    this.sqlstate = sqlstate;
  }
}

export class InsufficientFunds extends LedgerError {}        // LG101
export class AboveMaxBalance extends LedgerError {}          // LG102
export class AccountCurrencyMismatch extends LedgerError {}  // LG103
export class UnknownAccount extends LedgerError {}           // LG104
export class SameAccount extends LedgerError {}              // LG105
export class NonPositiveAmount extends LedgerError {}        // LG106
export class IdempotencyConflict extends LedgerError {}      // LG107
export class VersionConflict extends LedgerError {}          // LG108
export class DuplicateAccount extends LedgerError {}         // LG109
export class ExternalAccount extends LedgerError {}          // LG112
/** expectedVersion on an account split over several slots, which has no single version. */
export class SplitAccount extends LedgerError {}             // LG113
export class CurrencyMismatch extends LedgerError {}         // LG001
export class UnknownCurrency extends LedgerError {}          // LG002
export class InvalidValue extends LedgerError {}             // 22P02, 22003, 22023, 22004
/** 40001 or 40P01 still failing after the last attempt. */
export class TransactionConflict extends LedgerError {}

const BY_SQLSTATE = {
  LG101: InsufficientFunds,
  LG102: AboveMaxBalance,
  LG103: AccountCurrencyMismatch,
  LG104: UnknownAccount,
  LG105: SameAccount,
  LG106: NonPositiveAmount,
  LG107: IdempotencyConflict,
  LG108: VersionConflict,
  LG109: DuplicateAccount,
  LG112: ExternalAccount,
  LG113: SplitAccount,
  LG001: CurrencyMismatch,
  LG002: UnknownCurrency,
  '22P02': InvalidValue,
  '22003': InvalidValue,
  '22023': InvalidValue,
  '22004': InvalidValue,
  '40001': TransactionConflict,
  '40P01': TransactionConflict,
};

export const RETRYABLE = new Set(['40001', '40P01']);

/**
 * Turns a pg error into a LedgerError (a subclass where the SQLSTATE is known). Errors that
 * carry no SQLSTATE (a dropped connection, a bug in the caller) are returned unchanged.
 */
export function fromPgError(err) {
  if (!(err instanceof pg.DatabaseError)) return err;
  const Class = BY_SQLSTATE[err.code] ?? LedgerError;
  return new Class(err.message, { sqlstate: err.code, cause: err });
}
