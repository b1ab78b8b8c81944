// Just enough of Kubernetes resource quantities to add up pod requests for PodGroup minResources.
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY = /^([+-]?[0-9.]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
/** Sums are exact in nano-units, the smallest unit Kubernetes quantities carry. */
const NANO = 10n ** 9n;

export interface Quantity {
  nanos: bigint;
  binary: boolean;
}

export function parseQuantity(text: string | number): Quantity {
  const match = QUANTITY.exec(String(text).trim());
  if (!match) throw new Error(`invalid resource quantity "${text}"`);
  const [, number, exponent, suffix = ''] = match;
  const [whole, fraction = ''] = number.replace(/^\+/, '').split('.');
  const digits = BigInt(`${whole || '0'}${fraction}`);
  const scale = fraction.length;
  if (suffix in BINARY_SUFFIXES) {
    return {
      nanos: (digits * NANO * 2n ** BigInt(BINARY_SUFFIXES[suffix])) / 10n ** BigInt(scale),
      binary: true,
    };
  }
  const power = (exponent ? Number(exponent.slice(1)) : DECIMAL_SUFFIXES[suffix]) + 9 - scale;
  const nanos = power >= 0 ? digits * 10n ** BigInt(power) : digits / 10n ** BigInt(-power);
  return { nanos, binary: false };
}

/** Canonical text: the largest suffix that keeps the number whole, binary when every term was binary. */
export function formatQuantity({ nanos, binary }: Quantity): string {
  if (nanos === 0n) return '0';
  if (binary && nanos % NANO === 0n) {
    const value = nanos / NANO;
    const [suffix, bits] = Object.entries(BINARY_SUFFIXES)
      .reverse()
      .find(([, bits]) => value % 2n ** BigInt(bits) === 0n) ?? ['', 0];
    return `${value / 2n ** BigInt(bits)}${suffix}`;
  }
  const [suffix, power] = Object.entries(DECIMAL_SUFFIXES)
    .sort(([, a], [, b]) => b - a)
    .find(([, power]) => nanos % 10n ** BigInt(power + 9) === 0n)!;
  return `${nanos / 10n ** BigInt(power + 9)}${suffix}`;
}

export function addQuantities(quantities: Quantity[]): Quantity {
  return {
    nanos: quantities.reduce((sum, q) => sum + q.nanos, 0n),
    binary: quantities.length > 0 && quantities.every((q) => q.binary),
  };
}
