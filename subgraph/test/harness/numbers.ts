/**
 * graph-ts number semantics on the host side: BigInt as little-endian two's-complement bytes, BigDecimal as
 * digits × 10^exp with graph-node's 34 significant digits on division and normalised (no trailing zeros).
 */

/** graph-node's BigDecimal precision (significant digits kept by a division). */
export const BIG_DECIMAL_PRECISION = 34;

export function bigintFromLeBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

/** Minimal signed little-endian bytes (at least one byte), as num-bigint's `to_signed_bytes_le`. */
export function bigintToLeBytes(v: bigint): Uint8Array {
  const out: number[] = [];
  let x = v;
  for (;;) {
    const byte = Number(x & 0xffn);
    out.push(byte);
    x >>= 8n; // arithmetic shift: stays -1 for negatives
    const signBit = (byte & 0x80) !== 0;
    if ((x === 0n && !signBit) || (x === -1n && signBit)) break;
  }
  return Uint8Array.from(out);
}

export interface Decimal {
  digits: bigint;
  exp: bigint;
}

const TEN = 10n;

function pow10(n: bigint): bigint {
  return TEN ** n;
}

/** Strips trailing zeros of the digits (0 is 0 × 10^0). */
export function normalize(d: Decimal): Decimal {
  if (d.digits === 0n) return { digits: 0n, exp: 0n };
  let { digits, exp } = d;
  while (digits % TEN === 0n) {
    digits /= TEN;
    exp += 1n;
  }
  return { digits, exp };
}

function digitCount(v: bigint): number {
  return (v < 0n ? -v : v).toString().length;
}

/** Rounds to `precision` significant digits, half to even (bigdecimal's default rounding). */
function roundSignificant(d: Decimal, precision: number): Decimal {
  const n = digitCount(d.digits);
  if (n <= precision) return d;
  const drop = BigInt(n - precision);
  const div = pow10(drop);
  const neg = d.digits < 0n;
  const abs = neg ? -d.digits : d.digits;
  let q = abs / div;
  const r = abs % div;
  const half = div / 2n;
  if (r > half || (r === half && q % 2n === 1n)) q += 1n;
  return { digits: neg ? -q : q, exp: d.exp + drop };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, bigint] {
  const exp = a.exp < b.exp ? a.exp : b.exp;
  return [a.digits * pow10(a.exp - exp), b.digits * pow10(b.exp - exp), exp];
}

export function decimalPlus(a: Decimal, b: Decimal): Decimal {
  const [x, y, exp] = align(a, b);
  return normalize({ digits: x + y, exp });
}

export function decimalMinus(a: Decimal, b: Decimal): Decimal {
  const [x, y, exp] = align(a, b);
  return normalize({ digits: x - y, exp });
}

export function decimalTimes(a: Decimal, b: Decimal): Decimal {
  return normalize(roundSignificant({ digits: a.digits * b.digits, exp: a.exp + b.exp }, BIG_DECIMAL_PRECISION));
}

export function decimalDiv(a: Decimal, b: Decimal): Decimal {
  if (b.digits === 0n) throw new Error('BigDecimal division by zero');
  // scale the dividend so the integer quotient has more than PRECISION digits, then round
  const scale = BigInt(BIG_DECIMAL_PRECISION + 2 + digitCount(b.digits));
  const q = (a.digits * pow10(scale)) / b.digits;
  return normalize(roundSignificant({ digits: q, exp: a.exp - b.exp - scale }, BIG_DECIMAL_PRECISION));
}

export function decimalEquals(a: Decimal, b: Decimal): boolean {
  const x = normalize(a);
  const y = normalize(b);
  return x.digits === y.digits && x.exp === y.exp;
}

export function decimalFromString(s: string): Decimal {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`invalid BigDecimal string '${s}'`);
  const frac = m[3] ?? '';
  const digits = BigInt(`${m[1]}${m[2]}${frac}` || '0');
  return normalize({ digits, exp: BigInt(m[4] ?? '0') - BigInt(frac.length) });
}

/** Plain notation, as graph-node renders BigDecimal (no exponent). */
export function decimalToString(d: Decimal): string {
  const { digits, exp } = normalize(d);
  if (exp >= 0n) return (digits * pow10(exp)).toString();
  const neg = digits < 0n;
  const abs = (neg ? -digits : digits).toString();
  const places = Number(-exp);
  const padded = abs.padStart(places + 1, '0');
  const s = `${padded.slice(0, padded.length - places)}.${padded.slice(padded.length - places)}`;
  return neg ? `-${s}` : s;
}
