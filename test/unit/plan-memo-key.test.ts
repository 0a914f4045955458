// The plan memo's key: every part of it changes the key, and nothing else does. The parts are
// digests of real inputs: the InRelease files of test/fixtures/archive and the shipped recipe and
// arch files.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planMemoKey, type InputRead, type PlanMemoKeyParts } from '../../src/plan/plan-memo-key.js';

const ROOT = join(import.meta.dirname, '../..');
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(join(ROOT, path))).digest('hex');
const mirror = 'http://mirror.invalid/debian';

const archMissing: InputRead = { kind: 'failed', path: '/home/user/arch/musl-linux-amd64', code: 'ENOENT' };
const archFile: InputRead = { kind: 'file', path: join(ROOT, 'arch/musl-linux-amd64'), sha256: sha256('arch/musl-linux-amd64') };
const recipeList: InputRead = { kind: 'list', path: join(ROOT, 'recipes'), entries: ['glib2.0', 'libffi', 'pixman', 'qemu-stubdom/', 'xen'] };
const libffi = { kind: 'file', path: join(ROOT, 'recipes/libffi'), sha256: sha256('recipes/libffi') } as const;

const base: PlanMemoKeyParts = {
  format: 'stubforge-plan-memo 1',
  code: sha256('package.json'),
  target: 'qemu-stubdom',
  indexArch: 'amd64',
  releases: [
    { suite: 'bookworm', component: 'main', mirror, sha256: sha256('test/fixtures/archive/InRelease-bookworm') },
    { suite: 'bookworm-security', component: 'main', mirror: `${mirror}-security`, sha256: sha256('test/fixtures/archive/InRelease-bookworm-security') },
  ],
  pins: new Map([['xen', '4.17.5+72-g01140da4e8-1'], ['pcre2', '10.42-1']]),
  reads: [archMissing, archFile, recipeList, libffi],
};

const id = (parts: PlanMemoKeyParts): string => planMemoKey(parts).id;

describe('plan memo key', () => {
  it('is the same for the same parts, and a SHA-256 of its text', () => {
    const key = planMemoKey(base);
    expect(planMemoKey({ ...base, pins: new Map(base.pins), releases: [...base.releases], reads: [...base.reads] })).toEqual(key);
    expect(key.id).toBe(createHash('sha256').update(key.text).digest('hex'));
  });

  it('does not depend on the order the pins were given in', () => {
    expect(id({ ...base, pins: new Map([...base.pins].reverse()) })).toBe(id(base));
  });

  const first = base.releases[0];
  if (first === undefined) throw new Error('base parts changed');
  it.each<[string, Partial<PlanMemoKeyParts>]>([
    ['another memo format', { format: 'stubforge-plan-memo 2' }],
    ['other code', { code: sha256('tsconfig.json') }],
    ['another target', { target: 'qemu' }],
    ['another index architecture', { indexArch: 'arm64' }],
    ['a changed InRelease', { releases: [{ ...first, sha256: sha256('test/fixtures/archive/Sources-excerpt') }, ...base.releases.slice(1)] }],
    ['a suite fewer', { releases: base.releases.slice(0, 1) }],
    ['the suites in another order', { releases: [...base.releases].reverse() }],
    ['another mirror', { releases: [{ ...first, mirror: 'http://other.invalid/debian' }, ...base.releases.slice(1)] }],
    ['another component', { releases: [{ ...first, component: 'contrib' }, ...base.releases.slice(1)] }],
    ['a pin more', { pins: new Map([...base.pins, ['zlib', '1:1.2.13.dfsg-1']]) }],
    ['a pin to another version', { pins: new Map([...base.pins, ['xen', '4.17.7+13-g2445b30a44-0+deb12u1']]) }],
    ['no pins', { pins: new Map() }],
    ['an edited recipe', { reads: [archMissing, archFile, recipeList, { ...libffi, sha256: sha256('recipes/xen/recipe') }] }],
    ['a recipe file read from elsewhere', { reads: [archMissing, archFile, recipeList, { ...libffi, path: '/home/user/recipes/libffi' }] }],
    ['a recipe folder with another listing', { reads: [archMissing, archFile, { ...recipeList, entries: ['libffi'] }, libffi] }],
    ['an arch file found in the first folder now', { reads: [archFile, recipeList, libffi] }],
    ['a read that failed otherwise', { reads: [{ ...archMissing, code: 'EACCES' }, archFile, recipeList, libffi] }],
    ['the same files read in another order', { reads: [archMissing, archFile, libffi, recipeList] }],
  ])('changes with %s', (_what, change) => {
    expect(id({ ...base, ...change })).not.toBe(id(base));
  });

  it('cannot be made equal by moving text between fields', () => {
    const a = { ...base, target: 'qemu', indexArch: 'amd64' };
    const b = { ...base, target: 'qemu","amd64', indexArch: '' };
    expect(id(a)).not.toBe(id(b));
  });
});
