// SIGINT/SIGTERM → an AbortSignal. Code below cli/ never touches process signals: it takes the
// signal, stops and removes what it runs, and returns `interrupted`; the command then exits 130.
// A second signal while stopping is left to Node's default (immediate exit), as a way out.

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Which signal arrived, if one did. */
  received(): NodeJS.Signals | undefined;
  dispose(): void;
}

export function listenForInterrupt(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Interrupt {
  const controller = new AbortController();
  let got: NodeJS.Signals | undefined;
  const handler = (name: NodeJS.Signals): void => {
    got = name;
    for (const s of signals) process.removeListener(s, handler);
    controller.abort();
  };
  for (const s of signals) process.once(s, handler);
  return {
    signal: controller.signal,
    received: () => got,
    dispose: () => {
      for (const s of signals) process.removeListener(s, handler);
    },
  };
}
