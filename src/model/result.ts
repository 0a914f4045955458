// Expected failures are values, not exceptions (docs/architecture.md). Parsers, the solver and the
// archive layer return a Result; only cli/ turns an error into a message and an exit code.

export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<E> = { readonly ok: false; readonly error: E };
export type Result<T, E> = Ok<T> | Err<E>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}

/** For a `switch` over a union that must be exhaustive: a new case is a compile error here. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
