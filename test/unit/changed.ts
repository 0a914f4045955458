// A test's variant of a value: the change applied, and a key the change sets to undefined left
// out, which is what an absent optional property is under exactOptionalPropertyTypes.

/** `base` with `change` applied; keys whose value in `change` is undefined are removed. */
export function changed<T extends object>(base: T, change: object): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) Reflect.deleteProperty(out, key);
    else out[key] = value;
  }
  return out as T;
}
