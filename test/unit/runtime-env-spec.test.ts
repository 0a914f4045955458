import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BASE_INCLUDE, ENV_DOCKERFILES, environmentHash, envLabels, envLayerArgs, extraRef, mmdebstrapArgv,
  normalizeSpec, packagesLayerArgs, renderAptSources, updateLayerArgs, type EnvironmentSpec,
} from '../../src/runtime/env-spec.js';
import { Label } from '../../src/runtime/labels.js';

// A placeholder mirror (reserved .invalid domain): the real one is only ever read from apt's config.
const MIRROR = 'http://mirror.invalid/debian';
const MUSL_PACKAGES = ['musl-tools', 'musl-dev', 'build-essential', 'pkg-config', 'meson', 'ninja-build', 'cmake',
  'autoconf', 'automake', 'libtool', 'autotools-dev', 'dpkg-dev', 'python3'];
const spec: EnvironmentSpec = { suite: 'bookworm', arch: 'musl-linux-amd64', packages: MUSL_PACKAGES, mirror: MIRROR };

const dockerfile = (name: string): string => readFileSync(new URL(`../../docker/env/${name}`, import.meta.url), 'utf8');
const declaredArgs = (text: string): string[] => [...text.matchAll(/^ARG (\w+)/gm)].map((m) => m[1] ?? '').sort();

function normalized() {
  const n = normalizeSpec(spec);
  if (!n.ok) throw new Error(n.error.reason);
  return n.value;
}

describe('environment Dockerfiles and their build arguments', () => {
  it.each([
    ['env', envLayerArgs('sha256:base', normalized())],
    ['packages', packagesLayerArgs('sha256:env', ['bc'])],
    ['update', updateLayerArgs('sha256:env')],
  ] as const)('the %s layer gets exactly the ARGs its Dockerfile declares', (layer, args) => {
    expect(Object.keys(args).sort()).toEqual(declaredArgs(dockerfile(ENV_DOCKERFILES[layer])));
  });

  it.each(Object.values(ENV_DOCKERFILES))('%s starts FROM the image passed as BASE', (name) => {
    expect(dockerfile(name)).toMatch(/^ARG BASE\nFROM \$\{BASE\}$/m);
  });

  it('installs the packages, the apt sources and the build user in a single RUN', () => {
    const runs = dockerfile(ENV_DOCKERFILES.env).split('\n').filter((l) => l.startsWith('RUN '));
    expect(runs).toHaveLength(1);
  });

  it('passes the sorted, de-duplicated package list as one argument', () => {
    const n = normalizeSpec({ ...spec, packages: ['zz', 'aa', 'zz'] });
    if (!n.ok) throw new Error(n.error.reason);
    expect(envLayerArgs('sha256:b', n.value).PACKAGES).toBe('aa zz');
  });

  it('names the build user builder with uid and gid 1000', () => {
    const args = envLayerArgs('sha256:b', normalized());
    expect([args.BUILDER_NAME, args.BUILDER_UID, args.BUILDER_GID]).toEqual(['builder', '1000', '1000']);
  });
});

describe('renderAptSources', () => {
  it('points apt at the caller\'s mirror for the suite, then at the extra entries', () => {
    const text = renderAptSources({
      mirror: MIRROR, suite: 'bookworm',
      extraSources: [{ uris: ['http://security.invalid/debian-security'], suites: ['bookworm-security'], components: ['main'] }],
    });
    expect(text).toBe([
      'Types: deb', `URIs: ${MIRROR}`, 'Suites: bookworm', 'Components: main',
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg', '',
      'Types: deb', 'URIs: http://security.invalid/debian-security', 'Suites: bookworm-security', 'Components: main', '',
    ].join('\n'));
  });
});

describe('normalizeSpec', () => {
  it('names the environment stubforge-env:<suite>-<arch> on the base stubforge-base:<suite>', () => {
    expect([normalized().ref, normalized().baseRef]).toEqual(['stubforge-env:bookworm-musl-linux-amd64', 'stubforge-base:bookworm']);
  });

  it.each([
    ['suite', { suite: 'Bookworm' }],
    ['arch', { arch: 'musl linux' }],
    ['mirror', { mirror: 'mirror.invalid/debian' }],
    ['mirror', { mirror: 'http://mirror.invalid/debian"; rm -rf /' }],
    ['package', { packages: ['gcc', 'musl-tools; id'] }],
    ['package', { packages: ['gcc:native'] }],
    ['repository', { repository: 'Bad Repo' }],
  ])('rejects a bad %s, naming the value and where it came from', (what, change) => {
    const origin = { file: 'arch/musl-linux-amd64', line: 11 };
    const result = normalizeSpec({ ...spec, ...change, origin });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.what).toBe(what);
      expect(result.error.location).toEqual(origin);
    }
  });
});

describe('hashes and labels', () => {
  it('gives the same environment hash whatever the order of the packages', () => {
    const a = environmentHash({ suite: 'bookworm', arch: 'x', packages: ['a', 'b'] }, BASE_INCLUDE);
    const b = environmentHash({ suite: 'bookworm', arch: 'x', packages: ['b', 'a'] }, BASE_INCLUDE);
    expect(a).toBe(b);
    expect(environmentHash({ suite: 'trixie', arch: 'x', packages: ['a', 'b'] }, BASE_INCLUDE)).not.toBe(a);
  });

  it('labels an environment with suite, arch, kind, times and package list', () => {
    const labels = envLabels({ spec: normalized(), run: 'r', hash: 'h', created: 'c', updated: 'u' });
    expect(labels).toMatchObject({
      [Label.kind]: 'env', [Label.run]: 'r', [Label.package]: 'stubforge-env:bookworm-musl-linux-amd64', [Label.key]: 'h',
      [Label.suite]: 'bookworm', [Label.arch]: 'musl-linux-amd64', [Label.created]: 'c', [Label.updated]: 'u',
      [Label.packagesHash]: 'h',
    });
    expect(labels[Label.packages]?.split(' ')).toEqual([...MUSL_PACKAGES].sort());
  });

  it('derives the extra-tools image name from the requested set, not its order', () => {
    expect(extraRef('stubforge-env:bookworm-x', ['bc', 'gperf'])).toBe(extraRef('stubforge-env:bookworm-x', ['gperf', 'bc']));
    expect(extraRef('stubforge-env:bookworm-x', ['bc'])).toMatch(/^stubforge-env:bookworm-x-x[0-9a-f]{12}$/);
  });
});

describe('mmdebstrapArgv', () => {
  it('makes a minbase tarball with the sorted include list from the given mirror', () => {
    expect(mmdebstrapArgv('bookworm', ['fakeroot', 'build-essential'], '/tmp/x/bookworm.tar', MIRROR)).toEqual([
      'mmdebstrap', '--variant=minbase', '--format=tar', '--include=build-essential,fakeroot', 'bookworm', '/tmp/x/bookworm.tar', MIRROR,
    ]);
  });

  it('leaves --include out when there is nothing to include', () => {
    expect(mmdebstrapArgv('bookworm', [], '/t.tar', MIRROR)).not.toContain('--include=');
  });
});
