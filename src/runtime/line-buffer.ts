// Turns a byte stream into whole lines: a container writes in arbitrary chunks, logs and progress
// want lines. Pure; the last partial line comes out on `flush()`.

export class LineBuffer {
  private pending = '';
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const parts = (this.pending + text).split('\n');
    this.pending = parts.pop() ?? '';
    for (const part of parts) this.emit(part.endsWith('\r') ? part.slice(0, -1) : part);
  }

  flush(): void {
    const rest = this.pending + this.decoder.decode();
    this.pending = '';
    if (rest !== '') this.emit(rest);
  }
}

/** Keeps the last `size` lines seen: the tail a failure report shows. */
export class LineTail {
  private readonly lines: string[] = [];

  constructor(private readonly size: number) {}

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }

  get(): readonly string[] {
    return [...this.lines];
  }
}
