// The link policy of build outputs (drivers/link-policy.ts): every symlink a -cross package would
// install is judged where it lands; special files and set-id bits are refused. A real build that
// plants these is in test/integration/reliability-faults.test.ts.
import { describe, expect, it } from 'vitest';
import { checkOutputEntries, describeLinkViolation, type OutputEntry } from '../../src/drivers/link-policy.js';

describe('hostile build outputs: link targets judged where the package installs them', () => {
  const P = 'usr/x86_64-linux-musl';
  const base: OutputEntry[] = [
    { path: 'usr', kind: 'dir', location: { file: 'out/usr' } },
    { path: P, kind: 'dir', location: { file: `out/${P}` } },
    { path: `${P}/include`, kind: 'dir', location: { file: `out/${P}/include` } },
    { path: `${P}/lib`, kind: 'dir', location: { file: `out/${P}/lib` } },
    { path: `${P}/include/zlib.h`, kind: 'file', mode: 0o644, location: { file: `out/${P}/include/zlib.h` } },
    { path: `${P}/lib/libz.a`, kind: 'file', mode: 0o644, location: { file: `out/${P}/lib/libz.a` } },
  ];
  const link = (path: string, target: string): OutputEntry => ({ path: `${P}/${path}`, kind: 'symlink', target, location: { file: `out/${P}/${path}` } });
  const verdicts = (...extra: OutputEntry[]): string[] => checkOutputEntries([...base, ...extra], `/${P}`).map((v) => `${v.reason} ${v.file}`);

  it.each([
    ['include/x.h -> /etc/shadow', link('include/x.h', '/etc/shadow'), 'link-outside'],
    ['a relative link climbing out', link('include/y.h', '../../../../../etc/passwd'), 'link-outside'],
    ['libz.a -> the build machine\'s glibc copy', link('lib/libz2.a', '/usr/lib/x86_64-linux-gnu/libz.a'), 'link-outside'],
    ['a link to /usr (present in the output, outside the prefix)', link('include/usr', '/usr'), 'link-outside'],
    ['a dangling link inside the prefix', link('include/gone.h', 'missing.h'), 'link-dangling'],
  ])('refuses %s', (_what, entry, reason) => {
    expect(verdicts(entry)).toEqual([`${reason} ${entry.path}`]);
  });

  it('refuses a loop of links', () => {
    expect(verdicts(link('lib/a', 'b'), link('lib/b', 'a'))).toEqual([`link-loop ${P}/lib/a`, `link-loop ${P}/lib/b`]);
  });

  it('accepts relative and absolute links that end inside the prefix, through a chain', () => {
    expect(verdicts(link('lib/libz.so.a', 'libz.a'), link('include/z.h', `/${P}/include/zlib.h`), link('lib/chain.a', 'libz.so.a'), link('lib/inc', '../include'))).toEqual([]);
  });

  it('refuses a chain that ends outside', () => {
    expect(verdicts(link('lib/hop', '../../../etc'), link('lib/final', 'hop/shadow')).sort()).toEqual([`link-outside ${P}/lib/final`, `link-outside ${P}/lib/hop`].sort());
  });

  it('says where a link leads', () => {
    const [v] = checkOutputEntries([...base, link('include/y.h', '../../../../../etc/passwd')], `/${P}`);
    expect(v === undefined ? '' : describeLinkViolation(v)).toBe(`${P}/include/y.h: symlink to ../../../../../etc/passwd leads to above /, outside what the package ships (installed, it would name the machine's own file)`);
  });

  it('refuses special files and set-id bits', () => {
    expect(verdicts(
      { path: `${P}/include/fifo`, kind: 'other', what: 'a fifo', location: { file: 'fifo' } },
      { path: `${P}/lib/tool`, kind: 'file', mode: 0o4755, location: { file: 'tool' } },
    )).toEqual([`special-file ${P}/include/fifo`, `set-id-file ${P}/lib/tool`]);
  });
});
