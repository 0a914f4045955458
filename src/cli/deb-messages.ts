// Failures of the .deb writer and of describing a tree for it → one message each, with the file
// each concerns. The switches are exhaustive: a new reason in deb/ does not compile until it has
// a message here.
import type { TreeError } from '../deb/deb-tree.js';
import type { DebWriteError } from '../deb/deb-writer.js';
import { assertNever } from '../model/result.js';

export function describeTreeError(error: TreeError): string {
  switch (error.reason) {
    case 'unsupported-file-type':
      return `${error.path} is neither a file, a directory nor a symlink`;
    case 'io-error':
      return `cannot read ${error.path}: ${error.detail}`;
    default:
      return assertNever(error, 'tree error');
  }
}

/** The file a write failure concerns: the data file, the tar member, the archive being written. */
export function debWriteErrorFile(error: DebWriteError): string {
  return error.reason === 'not-ustar' ? error.entry : error.path;
}

export function describeDebWriteError(error: DebWriteError): string {
  switch (error.reason) {
    case 'source-changed':
      return `${error.path} changed after it was described (size ${error.size.described} → ${error.size.actual}, ` +
        `md5 ${error.md5.described} → ${error.md5.actual})`;
    case 'not-ustar':
      return `${error.entry} does not fit a ustar header (dpkg cannot unpack pax)`;
    case 'compressor-failed':
      return error.detail;
    case 'io-error':
      return `cannot write ${error.path}: ${error.detail}`;
    default:
      return assertNever(error, 'deb write error');
  }
}
