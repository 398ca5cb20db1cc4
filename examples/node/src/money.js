// An exact amount of ledger.monetary on the client side.
//
// The amount is kept as a BigInt count of minor units (cents, yen, fils) together with the
// currency's number of decimals, so it never passes through a JS Number: a double cannot hold
// 0.10 exactly, nor any amount above 2^53 minor units, and the server's range is ±(2^127 − 1).

// The server's text output: optional minus, digits, then exactly the currency's decimals, a
// space and the upper-case code. Parsing only this canonical form is what makes the decimals
// knowable without a currency table on the client.
const CANONICAL = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))? ([A-Z][A-Z0-9]{2,6})$/;

export class Money {
  #minor;
  #currency;
  #decimals;

  /**
   * @param {bigint} minor amount in minor units
   * @param {string} currency ISO 4217 (or registered) code, upper case
   * @param {number} decimals the currency's minor units (2 for USD, 0 for JPY, 3 for KWD)
   */
  constructor(minor, currency, decimals) {
    if (typeof minor !== 'bigint') {
      // A Number has already lost cents on the way in (0.1 + 0.2), so refuse it outright.
      throw new TypeError(`Money needs a BigInt of minor units, not ${typeof minor} ${minor}`);
    }
    if (typeof currency !== 'string' || !/^[A-Z][A-Z0-9]{2,6}$/.test(currency)) {
      throw new TypeError(`not a currency code: ${currency}`);
    }
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) {
      throw new TypeError(`decimals must be an integer from 0 to 18, not ${decimals}`);
    }
    this.#minor = minor;
    this.#currency = currency;
    this.#decimals = decimals;
    Object.freeze(this);
  }

  /** Parses the server's text form, e.g. '12.50 USD', '-0.01 USD', '1000 JPY', '1.500 KWD'. */
  static parse(text) {
    if (typeof text !== 'string') {
      throw new TypeError(`Money.parse needs the text form, not ${typeof text} ${text}`);
    }
    const match = CANONICAL.exec(text);
    if (match === null) {
      throw new RangeError(`not a monetary value in canonical form: ${JSON.stringify(text)}`);
    }
    const [, sign, whole, fraction = '', currency] = match;
    const magnitude = BigInt(whole + fraction);
    if (sign === '-' && magnitude === 0n) {
      throw new RangeError(`negative zero is not canonical: ${JSON.stringify(text)}`);
    }
    return new Money(sign === '-' ? -magnitude : magnitude, currency, fraction.length);
  }

  get minor() { return this.#minor; }
  get currency() { return this.#currency; }
  get decimals() { return this.#decimals; }

  isZero() { return this.#minor === 0n; }
  isNegative() { return this.#minor < 0n; }

  negate() { return new Money(-this.#minor, this.#currency, this.#decimals); }
  add(other) { return new Money(this.#minor + this.#same(other).minor, this.#currency, this.#decimals); }
  subtract(other) { return new Money(this.#minor - this.#same(other).minor, this.#currency, this.#decimals); }

  /** -1, 0 or 1; throws across currencies, as the server's ordering does (LG001). */
  compare(other) {
    const b = this.#same(other).minor;
    return this.#minor < b ? -1 : this.#minor > b ? 1 : 0;
  }

  equals(other) {
    return other instanceof Money && other.currency === this.#currency
      && other.decimals === this.#decimals && other.minor === this.#minor;
  }

  toString() {
    const digits = (this.#minor < 0n ? -this.#minor : this.#minor).toString()
      .padStart(this.#decimals + 1, '0');
    const cut = digits.length - this.#decimals;
    const amount = this.#decimals === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
    return `${this.#minor < 0n ? '-' : ''}${amount} ${this.#currency}`;
  }

  // pg calls toPostgres() on any object parameter: the server reads back exactly this text.
  toPostgres() { return this.toString(); }
  // JSON has no exact decimal type; a string keeps every digit.
  toJSON() { return this.toString(); }
  [Symbol.for('nodejs.util.inspect.custom')]() { return `Money(${this.toString()})`; }

  #same(other) {
    if (!(other instanceof Money)) throw new TypeError(`not a Money: ${other}`);
    if (other.currency !== this.#currency || other.decimals !== this.#decimals) {
      throw new RangeError(`cannot combine ${this.#currency} and ${other.currency}`);
    }
    return other;
  }
}
