// debian-control ships no types; these cover the part stubforge uses.
declare module 'debian-control' {
  import type { Transform } from 'node:stream';
  export function isFieldLine(text: string): boolean;
  export function isContinueLine(text: string): boolean;
  export function parse(text: string): Record<string, string | string[]>;
  export function stringify(obj: Record<string, string | string[]>): string;
  export function stripSignature(text: string): string;
  export class ParagraphStream extends Transform {}
  export class LineStream extends Transform {}
  const debianControl: {
    isFieldLine: typeof isFieldLine;
    isContinueLine: typeof isContinueLine;
    parse: typeof parse;
    stringify: typeof stringify;
    stripSignature: typeof stripSignature;
    ParagraphStream: typeof ParagraphStream;
    LineStream: typeof LineStream;
  };
  export default debianControl;
}
