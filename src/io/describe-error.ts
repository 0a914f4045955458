// The one way a thrown value becomes text for a message or a `detail` field. Node's system errors
// already start with their code ("ENOENT: no such file ..."); other errors carrying a code (the
// fetch layer's) get it in front, and a cause is added, since "fetch failed" alone says nothing.

/** Text of an unknown thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const prefix = typeof code === 'string' && !error.message.startsWith(code) ? `${code}: ` : '';
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${prefix}${error.message}${cause}`;
  }
  return String(error);
}
