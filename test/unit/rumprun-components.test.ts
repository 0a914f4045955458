// The components file of a rumprun tree (bake/backends/rumprun-components.ts): what the user states
// of rumprun's own components, checked against the tree's platform; how the application package
// names them (SPDX document, copyright file); and the application's key, which takes the
// statement while the libraries' keys (and every musl key) do not. The fixtures are statements
// as a user writes them, with the revisions the project's trees were built from.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  componentsOf, componentsTemplate, describeRumprunComponentsError, readRumprunComponents, type RumprunComponents,
} from '../../src/bake/backends/rumprun-components.js';
import { defaultComponentsFile, readRumprunComponentsFile } from '../../src/bake/backends/rumprun-tree-io.js';
import { aggregateCopyright } from '../../src/deb/app-copyright.js';
import { describeApplicationDebs, type ApplicationDebInput } from '../../src/deb/app-deb.js';
import { spdxDocument, vcsDownloadLocation } from '../../src/deb/spdx.js';
import { cacheKeyText, planCacheKeys, sameImageForEvery } from '../../src/plan/cache-key.js';
import { qemuPlan } from './executor-plans.js';
import { describeAppDebError } from '../../src/cli/deb-messages.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/rumprun-components');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'stubforge-components-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function stated(name: string, platform: 'hw' | 'xen'): RumprunComponents {
  const read = readRumprunComponents(fixture(name), name, platform);
  if (!read.ok) throw new Error(describeRumprunComponentsError(read.error, 'STUBFORGE_RUMPRUN_COMPONENTS'));
  return read.value;
}

describe('reading a components file', () => {
  it('reads every component a hw tree embeds, in a fixed order, with what was stated', () => {
    const hw = stated('hw.components', 'hw');
    expect(hw.components.map((c) => [c.name, c.revision, c.licence])).toEqual([
      ['rumprun', 'b04d42225a12a6fae57a78a9c1cf23642e46cd00', 'BSD-2-Clause'],
      ['buildrump.sh', '9c9b022cb2115734935e50600c867a3bc230b32c', 'BSD-2-Clause'],
      ['src-netbsd', 'b8b951e911a2fc555848a2785a9998bc128530b6', 'BSD-2-Clause and BSD-3-Clause'],
    ]);
    expect(hw.components[0]).toMatchObject({ repository: 'https://git.example/rumpkernel/rumprun', copyright: 'Copyright (c) Authors.', location: { file: 'hw.components', line: 2 } });
    // The paragraph as written, comments left out: the part of the copyright file.
    expect(hw.components[2]?.statement).toBe([
      'Component: src-netbsd', 'Revision: b8b951e911a2fc555848a2785a9998bc128530b6', 'License: BSD-2-Clause and BSD-3-Clause',
      'Comment: NetBSD\'s userland and kernel sources as rumprun takes them.',
    ].join('\n'));
  });

  it('asks a xen tree for mini-os too, and keeps a licence text and a multi-line Copyright', () => {
    expect(componentsOf('xen')).toEqual(['rumprun', 'buildrump.sh', 'src-netbsd', 'mini-os']);
    const xen = stated('xen.components', 'xen');
    expect(xen.components.map((c) => c.name)).toEqual(componentsOf('xen'));
    const netbsd = xen.components.find((c) => c.name === 'src-netbsd');
    expect(netbsd?.licence).toBe('BSD-2-Clause and local-notice');
    expect(netbsd?.licenceText).toBe(' Parts of this component carry a notice of their own, stated here as a test\n of a licence SPDX has no identifier for.\n\n The second paragraph of that notice.'.replace(/^ /gm, ''));
    expect(xen.components.find((c) => c.name === 'mini-os')?.copyright).toBe('2002-2003 K A Fraser and R Neugebauer\n2005 Grzegorz Milos');
  });

  it('reports every problem with its file and line, at once', () => {
    const read = readRumprunComponents(fixture('wrong.components'), 'wrong.components', 'hw');
    if (read.ok || read.error.reason !== 'components-invalid') throw new Error('expected problems');
    const problems = read.error.problems.map((p) => `${String(p.location.line ?? '-')}: ${p.message}`);
    expect(problems).toEqual([
      expect.stringMatching(/^2: Revision "b04d422" looks like an abbreviated .*git rev-parse HEAD/),
      '5: missing required field Revision',
      '6: unknown field Revison',
      expect.stringMatching(/^7: License "NetBSD": SPDX has no identifier for NetBSD; give the licence text/),
      expect.stringMatching(/^8: Repository "a checkout on my laptop" is not a URL/),
      '10: component "rumprun" is stated twice (first at line 1)',
      '14: component "mini-os" is not in a hw tree\'s images (only xen trees embed it)',
      '18: unknown component "libcompiler_rt": a hw tree embeds rumprun, buildrump.sh, src-netbsd',
      expect.stringMatching(/^-: no paragraph for component "buildrump.sh", which the images of a hw tree embed/),
    ]);
    const message = describeRumprunComponentsError(read.error, 'STUBFORGE_RUMPRUN_COMPONENTS');
    expect(message).toContain('wrong.components: 9 problem(s) in the components file:');
    expect(message).toContain('  wrong.components:6: unknown field Revison');
  });

  it('asks a hw statement for mini-os when the tree is xen', () => {
    const read = readRumprunComponents(fixture('hw.components'), 'hw.components', 'xen');
    expect(!read.ok && read.error.reason === 'components-invalid' && read.error.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^no paragraph for component "mini-os", which the images of a xen tree embed \(the Xen PV kernel layer/)]);
  });

  it.each([
    ['B04D42225A12A6FAE57A78A9C1CF23642E46CD00', /abbreviated or upper-case commit id/],
    ['b04d4222', /abbreviated or upper-case commit id/],
    ['a release?', /neither a full git commit id/],
  ])('refuses the revision %s', (revision, message) => {
    const read = readRumprunComponents(fixture('hw.components').replace('b04d42225a12a6fae57a78a9c1cf23642e46cd00', revision), 'hw.components', 'hw');
    expect(!read.ok && read.error.reason === 'components-invalid' && read.error.problems.map((p) => p.message)).toEqual([expect.stringMatching(message)]);
  });

  it.each(['2020.05', '0.1+rc1'])('takes the release version %s', (revision) => {
    expect(readRumprunComponents(fixture('hw.components').replace('b04d42225a12a6fae57a78a9c1cf23642e46cd00', revision), 'hw.components', 'hw').ok).toBe(true);
  });

  it('takes an ssh repository with a user in it', () => {
    const read = readRumprunComponents(fixture('hw.components').replace('https://git.example/rumpkernel/rumprun', 'ssh://git@git.example/rumpkernel/rumprun.git'), 'hw.components', 'hw');
    expect(read.ok && read.value.components[0]?.repository).toBe('ssh://git@git.example/rumpkernel/rumprun.git');
  });

  it('names a malformed line', () => {
    const read = readRumprunComponents('Component: rumprun\nthis is not a field\n', 'x.components', 'hw');
    expect(!read.ok && read.error.reason === 'components-invalid' && read.error.problems[0]).toMatchObject({ location: { file: 'x.components', line: 2 } });
  });

  it('gives a template for the platform that is refused until filled in', () => {
    const template = componentsTemplate('xen');
    expect(template.match(/^Component: .*$/gm)).toEqual(componentsOf('xen').map((n) => `Component: ${n}`));
    const read = readRumprunComponents(template, 'template', 'xen');
    expect(!read.ok && read.error.reason === 'components-invalid' && read.error.problems.filter((p) => p.field === 'Revision')).toHaveLength(4);
  });

  it('digests what the package says, not the layout: a revision changes it, a comment does not', () => {
    const base = stated('hw.components', 'hw').digest;
    const text = fixture('hw.components');
    const again = readRumprunComponents(`# another comment\n${text}`, 'hw.components', 'hw');
    expect(again.ok && again.value.digest).toBe(base);
    const bumped = readRumprunComponents(text.replace('9c9b022cb2115734935e50600c867a3bc230b32c', '0'.repeat(40)), 'hw.components', 'hw');
    expect(bumped.ok && bumped.value.digest).not.toBe(base);
  });
});

describe('the components file on disk', () => {
  it('lies beside the tree by default, named after it', () => {
    expect(defaultComponentsFile('/opt/rumprun-hw/')).toBe('/opt/rumprun-hw.components');
  });

  it('is a value when absent, whose message says exactly what to write', async () => {
    const file = join(work, 'none.components');
    const read = await readRumprunComponentsFile(file, 'hw');
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error.reason).toBe('components-missing');
    const message = describeRumprunComponentsError(read.error, 'STUBFORGE_RUMPRUN_COMPONENTS');
    expect(message).toContain(`${file}: no components file.`);
    expect(message).toContain('or name another in STUBFORGE_RUMPRUN_COMPONENTS');
    expect(message).toContain(componentsTemplate('hw'));
  });

  it('is read and checked when there', async () => {
    const file = join(work, 'hw.components');
    writeFileSync(file, fixture('hw.components'));
    const read = await readRumprunComponentsFile(file, 'hw');
    expect(read.ok && read.value.digest).toBe(stated('hw.components', 'hw').digest);
  });
});

/** The components as the application builder hands them to the package. */
function treeComponents(s: RumprunComponents): NonNullable<ApplicationDebInput['treeComponents']> {
  return s.components.map((c) => ({
    tree: `rumprun ${s.platform}`, name: c.name, revision: c.revision, licence: c.licence, statement: c.statement,
    ...(c.repository === undefined ? {} : { repository: c.repository }),
    ...(c.copyright === undefined ? {} : { copyright: c.copyright }),
    ...(c.licenceText === undefined ? {} : { licenceText: c.licenceText }),
  }));
}

function packageWith(s: RumprunComponents) {
  const d = describeApplicationDebs({
    package: 'qemu-system-xen-stubdom', description: { synopsis: 'QEMU as a Xen device model for stub domains' },
    source: { name: 'qemu', version: '1:7.2+dfsg-7+deb12u18', copyright: 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2\n' },
    architecture: 'amd64', partialArch: 'rumprun-amd64', maintainer: 'Stubforge Tester <tester@example.org>', target: 'qemu-stubdom',
    recipeSha256: 'a'.repeat(64), cacheKey: 'b'.repeat(64), embedded: [], files: [], lintianOverrides: [],
    toolchainParts: [{ tree: `rumprun ${s.platform}`, path: 'rumprun-x86_64/lib/libm.a' }], treeComponents: treeComponents(s),
    sourceDateEpoch: 1747958400, tool: 'stubforge-0.1.0',
  });
  if (!d.ok) throw new Error(describeAppDebError(d.error));
  return d.value;
}

interface Spdx {
  packages: { SPDXID: string; name: string; versionInfo?: string; downloadLocation: string; licenseDeclared: string; copyrightText: string; primaryPackagePurpose: string }[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string }[];
}

describe('the package names each component at its stated revision', () => {
  it('SPDX: a package per component with its revision, download location and licence, linked from the package', () => {
    const spdx = JSON.parse(packageWith(stated('hw.components', 'hw')).spdx) as Spdx;
    const components = spdx.packages.filter((p) => p.SPDXID.startsWith('SPDXRef-Component-'));
    expect(components.map((p) => [p.name, p.versionInfo, p.downloadLocation, p.licenseDeclared, p.copyrightText])).toEqual([
      ['buildrump.sh', '9c9b022cb2115734935e50600c867a3bc230b32c', 'git+https://git.example/rumpkernel/buildrump.sh@9c9b022cb2115734935e50600c867a3bc230b32c', 'BSD-2-Clause', 'NOASSERTION'],
      ['rumprun', 'b04d42225a12a6fae57a78a9c1cf23642e46cd00', 'git+https://git.example/rumpkernel/rumprun@b04d42225a12a6fae57a78a9c1cf23642e46cd00', 'BSD-2-Clause', 'Copyright (c) Authors.'],
      ['src-netbsd', 'b8b951e911a2fc555848a2785a9998bc128530b6', 'NOASSERTION', 'BSD-2-Clause AND BSD-3-Clause', 'NOASSERTION'],
    ]);
    for (const c of components) {
      expect(spdx.relationships).toContainEqual({ spdxElementId: 'SPDXRef-Package-qemu-system-xen-stubdom', relationshipType: 'STATIC_LINK', relatedSpdxElement: c.SPDXID });
    }
    // The tree's linked archives stay listed as before.
    expect(spdx.packages.map((p) => p.name)).toContain('rumprun hw:rumprun-x86_64/lib/libm.a');
  });

  it('SPDX: a licence SPDX does not know is a LicenseRef carrying the stated text', () => {
    const spdx = JSON.parse(packageWith(stated('xen.components', 'xen')).spdx) as Spdx;
    expect(spdx.packages.find((p) => p.name === 'src-netbsd')?.licenseDeclared).toBe('BSD-2-Clause AND LicenseRef-local-notice');
    expect(spdx.packages.find((p) => p.name === 'mini-os')).toMatchObject({ licenseDeclared: 'MIT', versionInfo: 'b04d42225a12a6fae57a78a9c1cf23642e46cd00' });
    expect(spdx.hasExtractedLicensingInfos).toContainEqual({ licenseId: 'LicenseRef-local-notice', extractedText: expect.stringContaining('The second paragraph of that notice.') as unknown });
  });

  it('copyright: each component listed at its revision, its statement as its part, after the Debian sources', () => {
    const copyright = packageWith(stated('xen.components', 'xen')).copyright;
    for (const c of stated('xen.components', 'xen').components) {
      expect(copyright).toContain(`  ${c.name} ${c.revision}: baked in: from the user-supplied toolchain tree, not in Debian`);
      expect(copyright).toContain(`read from: the components file of the rumprun xen tree\n${'='.repeat(78)}\n\n${c.statement}\n`);
    }
    expect(copyright.indexOf('qemu 1:7.2+dfsg-7+deb12u18 (the source of this package)')).toBeLessThan(copyright.indexOf('buildrump.sh 9c9b022cb2115734935e50600c867a3bc230b32c (baked in'));
  });

  it('leaves a package without a tree as it was (the musl path)', () => {
    const parts = [{ source: 'zlib', version: '1:1.2.13.dfsg-1', role: 'closure' as const, readFrom: 'x', text: 'Files: *\nLicense: Zlib\n' }];
    expect(aggregateCopyright({ package: 'p', version: '1' }, parts)).not.toContain('toolchain tree');
    const doc = spdxDocument({ package: 'p', version: '1', architecture: 'amd64', sources: [], sourceDateEpoch: 0, tool: 't' });
    expect(doc).not.toContain('SPDXRef-Component-');
  });

  it('writes the stated repository in SPDX\'s VCS form', () => {
    expect(vcsDownloadLocation('https://git.example/r', 'abc')).toBe('git+https://git.example/r@abc');
    expect(vcsDownloadLocation('git+ssh://git.example/r', 'abc')).toBe('git+ssh://git.example/r@abc');
    expect(vcsDownloadLocation(undefined, 'abc')).toBe('NOASSERTION');
  });
});

describe('the keys', () => {
  const plan = qemuPlan();
  const digests = sameImageForEvery(plan, `sha256:${'c'.repeat(64)}`);
  const code = '9'.repeat(64);
  const tree = '7'.repeat(64);
  const hw = stated('hw.components', 'hw');
  const application = plan.nodes.find((n) => n.kind === 'application')?.source ?? '';

  it('the application\'s key changes with a stated revision; no library key does', () => {
    const bumped = readRumprunComponents(fixture('hw.components').replace('b8b951e911a2fc555848a2785a9998bc128530b6', '1'.repeat(40)), 'hw.components', 'hw');
    if (!bumped.ok) throw new Error('bumped');
    const before = planCacheKeys(plan, digests, { code, toolchainTree: tree, toolchainComponents: hw.digest });
    const after = planCacheKeys(plan, digests, { code, toolchainTree: tree, toolchainComponents: bumped.value.digest });
    const without = planCacheKeys(plan, digests, { code, toolchainTree: tree });
    expect(application).toBe('qemu');
    for (const n of plan.nodes) {
      if (n.kind === 'application') {
        expect(after.get(n.source)).not.toBe(before.get(n.source));
        expect(without.get(n.source)).not.toBe(before.get(n.source));
      } else {
        expect(after.get(n.source), n.source).toBe(before.get(n.source));
        expect(without.get(n.source), n.source).toBe(before.get(n.source));
      }
    }
  });

  it('a musl key (no tree, no components) has no line for them', () => {
    const text = cacheKeyText({
      source: 'qemu', version: '1', files: [], archSha256: 'c'.repeat(64) as never, imageDigest: 'sha256:x', builder: { code }, dependencyKeys: [], profiles: [],
    });
    expect(text).not.toMatch(/toolchain/);
  });
});
