// Branded strings: a plain string cannot pass for a cache key or a checksum by accident.

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Lower-case hex SHA-256 of something's content. */
export type Sha256Hex = Brand<string, 'Sha256Hex'>;
/** Content cache key of one plan node (plan/): same key, same output. */
export type CacheKey = Brand<string, 'CacheKey'>;

const SHA256_RE = /^[0-9a-f]{64}$/;

export function asSha256Hex(value: string): Sha256Hex | undefined {
  return SHA256_RE.test(value) ? (value as Sha256Hex) : undefined;
}
