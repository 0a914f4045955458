// The OSv-style file manifest: every syntax form, with OSv's semantics (scripts/manifest_common.py),
// and every error with its line. File lists are the host files a recipe's ${SOURCE} would hold.
import { describe, expect, it } from 'vitest';
import { describeManifestError, expandManifest, parseManifest, type ManifestFile } from '../../src/bake/manifest.js';

const SOURCE = '/build/qemu/src';
const FILES = [
  `${SOURCE}/pc-bios/keymaps/en-us`,
  `${SOURCE}/pc-bios/keymaps/de`,
  `${SOURCE}/pc-bios/keymaps/common`,
  `${SOURCE}/etc/qemu/bridge.conf`,
  `${SOURCE}/etc/qemu/firmware/50-edk2.json`,
  `${SOURCE}/build/libfoo.so`,
  `${SOURCE}/static/etc/hosts`,
];

function expand(text: string, variables: Record<string, string> = { SOURCE }): { guestPath: string; hostPath: string; line?: number }[] {
  const lines = parseManifest(text, 'usr.manifest');
  if (!lines.ok) throw new Error(lines.error.map(describeManifestError).join('\n'));
  const files = expandManifest(lines.value, { variables, files: FILES });
  if (!files.ok) throw new Error(files.error.map(describeManifestError).join('\n'));
  return files.value.map((f: ManifestFile) => ({ guestPath: f.guestPath, hostPath: f.hostPath, ...(f.location.line === undefined ? {} : { line: f.location.line }) }));
}

function errorsOf(text: string, variables: Record<string, string> = { SOURCE }): [string, number | undefined][] {
  const lines = parseManifest(text, 'usr.manifest');
  if (!lines.ok) return lines.error.map((e) => [e.reason, e.location.line]);
  const files = expandManifest(lines.value, { variables, files: FILES });
  return files.ok ? [] : files.error.map((e) => [e.reason, e.location.line]);
}

describe('manifest syntax', () => {
  it('maps one file per line, with ${SOURCE} substituted', () => {
    expect(expand('/etc/qemu/bridge.conf: ${SOURCE}/etc/qemu/bridge.conf\n')).toEqual([
      { guestPath: '/etc/qemu/bridge.conf', hostPath: `${SOURCE}/etc/qemu/bridge.conf`, line: 1 },
    ]);
  });

  it('expands /** on both sides to every file below, at the same relative path, sorted', () => {
    expect(expand('/usr/share/qemu/keymaps/**: ${SOURCE}/pc-bios/keymaps/**').map((f) => f.guestPath)).toEqual([
      '/usr/share/qemu/keymaps/common', '/usr/share/qemu/keymaps/de', '/usr/share/qemu/keymaps/en-us',
    ]);
    expect(expand('/etc/**: ${SOURCE}/etc/**').map((f) => [f.guestPath, f.hostPath])).toEqual([
      ['/etc/qemu/bridge.conf', `${SOURCE}/etc/qemu/bridge.conf`],
      ['/etc/qemu/firmware/50-edk2.json', `${SOURCE}/etc/qemu/firmware/50-edk2.json`],
    ]);
  });

  it.each([
    // OSv's usr.manifest.skel has `/&/etc/hosts: ../../static/&`: guest /etc/hosts, host static/etc/hosts.
    ['/&/etc/hosts: ${SOURCE}/static/&', '/etc/hosts', `${SOURCE}/static/etc/hosts`],
    ['/usr/lib/&/libfoo.so: ${SOURCE}/build/&', '/usr/lib/libfoo.so', `${SOURCE}/build/libfoo.so`],
  ])('the & shorthand: %s', (line, guestPath, hostPath) => {
    expect(expand(line)).toEqual([{ guestPath, hostPath, line: 1 }]);
  });

  it('ignores comments, blank lines and the [manifest] header, and keeps line numbers', () => {
    const text = ['[manifest]', '# keymaps', '', '   # indented comment', '/etc/qemu/bridge.conf: ${SOURCE}/etc/qemu/bridge.conf   ', ''].join('\n');
    expect(expand(text)).toEqual([{ guestPath: '/etc/qemu/bridge.conf', hostPath: `${SOURCE}/etc/qemu/bridge.conf`, line: 5 }]);
  });

  it('substitutes variables on both sides, several per line', () => {
    const text = '${ETC}/qemu/${NAME}: ${SOURCE}/etc/qemu/${NAME}';
    expect(expand(text, { SOURCE, ETC: '/etc', NAME: 'bridge.conf' })).toEqual([
      { guestPath: '/etc/qemu/bridge.conf', hostPath: `${SOURCE}/etc/qemu/bridge.conf`, line: 1 },
    ]);
  });

  it('takes a # after the start of a line as part of the path (OSv comments are whole lines)', () => {
    const lines = parseManifest('/etc/a#b: /x/a#b', 'm');
    expect(lines.ok && lines.value[0]?.host).toBe('/x/a#b');
  });
});

describe('manifest errors, each with its line', () => {
  it.each([
    ['/etc/qemu/bridge.conf ${SOURCE}/etc/qemu/bridge.conf', 'missing-separator'],
    ['/a: /b: /c', 'extra-separator'],
    ['/etc/a: ', 'missing-separator'],
    [': /x', 'empty-path'],
    ['etc/a: /x/a', 'relative-guest-path'],
    ['/etc/mnttab: ->/proc/mounts', 'unsupported-syntax'],
    ['/lib/a.so: !/x/a.so', 'unsupported-syntax'],
    ['/etc/**: ${SOURCE}/etc', 'wildcard-mismatch'],
    ['/etc: ${SOURCE}/etc/**', 'wildcard-mismatch'],
    ['/etc/*.conf: ${SOURCE}/etc/*.conf', 'misplaced-wildcard'],
    ['/etc/**/x: ${SOURCE}/etc/**/x', 'misplaced-wildcard'],
    ['/&/etc/hosts: ${SOURCE}/static/etc/hosts', 'ampersand-mismatch'],
    ['/etc/hosts: ${SOURCE}/static/&', 'ampersand-mismatch'],
    ['/&/&/x: ${SOURCE}/&', 'ampersand-mismatch'],
    ['/etc/a: ${SOURCE/a', 'malformed-variable'],
    ['/etc/a: ${1X}/a', 'malformed-variable'],
  ])('%s → %s', (line, reason) => {
    expect(errorsOf(`# first line\n${line}\n`)).toEqual([[reason, 2]]);
  });

  it.each([
    ['/etc/a: ${BUILD}/a', 'undefined-variable'],
    ['/etc/a: etc/a', 'relative-host-path'],
    ['/etc/../a: ${SOURCE}/etc/qemu/bridge.conf', 'invalid-guest-path'],
    ['/etc//a: ${SOURCE}/etc/qemu/bridge.conf', 'invalid-guest-path'],
    ['/etc/a: ${SOURCE}/etc/missing', 'missing-host-file'],
    ['/etc/qemu: ${SOURCE}/etc/qemu', 'host-is-directory'],
    ['/x/**: ${SOURCE}/nothing/**', 'wildcard-matches-nothing'],
  ])('%s → %s', (line, reason) => {
    expect(errorsOf(`\n\n${line}`)).toEqual([[reason, 3]]);
  });

  it('refuses the same guest path twice and names the first line (OSv keeps the last silently)', () => {
    const text = '/etc/qemu/bridge.conf: ${SOURCE}/etc/qemu/bridge.conf\n/etc/**: ${SOURCE}/etc/**\n';
    const lines = parseManifest(text, 'usr.manifest');
    if (!lines.ok) throw new Error('parse');
    const files = expandManifest(lines.value, { variables: { SOURCE }, files: FILES });
    expect(files.ok ? [] : files.error.map(describeManifestError)).toEqual([
      `usr.manifest:2: /etc/qemu/bridge.conf is already given on line 1 ("/etc/**: \${SOURCE}/etc/**")`,
    ]);
  });

  it('reports every bad line at once', () => {
    expect(errorsOf('/a\n/b: ->c\n/ok: /x\n/d')).toEqual([['missing-separator', 1], ['unsupported-syntax', 2], ['missing-separator', 4]]);
  });

  it('names the known variables when one is missing', () => {
    const lines = parseManifest('/a: ${BUILD}/a', 'm');
    if (!lines.ok) throw new Error('parse');
    const files = expandManifest(lines.value, { variables: { SOURCE, STAGE: '/s' }, files: [] });
    expect(files.ok ? '' : files.error[0]?.detail).toBe('no value for ${BUILD} (known: SOURCE STAGE)');
  });
});
