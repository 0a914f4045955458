// The messages of the .deb writer's and tree walk's failures (cli/deb-messages.ts), of a library's
// packaging and staging failures (build-failures.ts) and of an application's package failure
// (application-messages.ts), each against the text the code wrote before the failures became
// payloads.
import { describe, expect, it } from 'vitest';
import { describeApplicationError } from '../../src/cli/application-messages.js';
import { describeNodeFailure } from '../../src/cli/commands/build-failures.js';
import { debWriteErrorFile, describeDebWriteError, describeTreeError } from '../../src/cli/deb-messages.js';
import type { TreeError } from '../../src/deb/deb-tree.js';
import type { DebWriteError } from '../../src/deb/deb-writer.js';

const md5 = { described: 'a'.repeat(32), actual: 'b'.repeat(32) };

describe('deb messages', () => {
  it.each<[TreeError, string]>([
    [{ reason: 'unsupported-file-type', path: '/out/usr/lib/fifo' }, '/out/usr/lib/fifo is neither a file, a directory nor a symlink'],
    [{ reason: 'io-error', path: '/out/usr', detail: 'EACCES: permission denied, scandir \'/out/usr\'' }, 'cannot read /out/usr: EACCES: permission denied, scandir \'/out/usr\''],
  ])('tree %j', (error, text) => {
    expect(describeTreeError(error)).toBe(text);
  });

  it.each<[DebWriteError, string, string]>([
    [{ reason: 'source-changed', path: '/out/usr/lib/libz.a', size: { described: 10, actual: 12 }, md5 }, '/out/usr/lib/libz.a',
      `/out/usr/lib/libz.a changed after it was described (size 10 → 12, md5 ${md5.described} → ${md5.actual})`],
    [{ reason: 'not-ustar', entry: `./usr/${'x'.repeat(120)}` }, `./usr/${'x'.repeat(120)}`, `./usr/${'x'.repeat(120)} does not fit a ustar header (dpkg cannot unpack pax)`],
    [{ reason: 'compressor-failed', path: '/tmp/d/data.tar.xz', detail: 'xz -6 failed (exit 1): out of memory' }, '/tmp/d/data.tar.xz', 'xz -6 failed (exit 1): out of memory'],
    [{ reason: 'io-error', path: '/work/x.deb', detail: 'ENOSPC: no space left on device' }, '/work/x.deb', 'cannot write /work/x.deb: ENOSPC: no space left on device'],
  ])('write %j', (error, file, text) => {
    expect(debWriteErrorFile(error)).toBe(file);
    expect(describeDebWriteError(error)).toBe(text);
  });
});

describe('packaging and staging failures of a build node', () => {
  it('says which file, then what is wrong with it, as before', () => {
    expect(describeNodeFailure({ reason: 'packaging', error: { part: 'copyright', file: '/src/zlib/debian/copyright', detail: 'the source has no debian/copyright' } }))
      .toBe('making the -cross packages: /src/zlib/debian/copyright: the source has no debian/copyright');
    expect(describeNodeFailure({ reason: 'packaging', error: { part: 'output-tree', error: { reason: 'unsupported-file-type', path: '/out/p' } } }))
      .toBe('making the -cross packages: /out/p: /out/p is neither a file, a directory nor a symlink');
    expect(describeNodeFailure({ reason: 'packaging', error: { part: 'deb', error: { reason: 'io-error', path: '/w/x.deb', detail: 'EROFS' } } }))
      .toBe('making the -cross packages: /w/x.deb: cannot write /w/x.deb: EROFS');
    expect(describeNodeFailure({
      reason: 'packaging',
      error: { part: 'cross-packages', error: { reason: 'no-binaries', location: { file: 'recipes/zlib/recipe' }, source: 'zlib' } },
    })).toBe('making the -cross packages: recipes/zlib/recipe: recipe for zlib publishes no binary package');
    expect(describeNodeFailure({ reason: 'stage-deps', package: '/r/pool/k/z.deb', exit: { code: null, stderr: '', failure: 'spawn dpkg-deb ENOENT' } }))
      .toBe('staging the dependencies: /r/pool/k/z.deb: dpkg-deb -x /r/pool/k/z.deb: spawn dpkg-deb ENOENT');
  });

  it('an application package failure names the recipe, then the tree or the .deb', () => {
    const location = { file: 'recipes/qemu-stubdom/recipe' };
    expect(describeApplicationError({ reason: 'package', part: 'tree', error: { reason: 'io-error', path: '/w/root', detail: 'ENOENT' }, location }))
      .toBe('recipes/qemu-stubdom/recipe: the application package: cannot read /w/root: ENOENT');
    expect(describeApplicationError({ reason: 'package', part: 'write', error: { reason: 'not-ustar', entry: './usr/bin/q' }, location }))
      .toBe('recipes/qemu-stubdom/recipe: the application package: ./usr/bin/q does not fit a ustar header (dpkg cannot unpack pax)');
  });
});
