// The executor's side of the debian driver that needs no container: which profiles a build
// through Debian's packaging exports, and which binaries it publishes.
import { describe, expect, it } from 'vitest';
import { crossBinaries, debianBuildProfiles, publishedBinaries } from '../../src/executor/debian-packaging.js';

describe('DEB_BUILD_PROFILES of a debian-driver build', () => {
  it('carries the profiles the solver chose, not only the arch\'s and the recipe\'s', () => {
    // brotli: the plan drops dh-python <!nopython>; its rules choose `dh --with=python3` unless
    // nopython is in DEB_BUILD_PROFILES, so the build must see it.
    const arch = ['cross', 'nocheck', 'nodoc', 'noinsttest', 'noudeb'];
    const node = ['cross', 'nocheck', 'nodoc', 'noinsttest', 'nopython', 'noudeb'];
    expect(debianBuildProfiles(node, arch, [])).toEqual(node);
    expect(debianBuildProfiles(node, arch, ['stage1'])).toEqual([...node, 'stage1'].sort());
  });
});

describe('published binaries', () => {
  it('takes the recipe\'s Publish, else what dependants need, else every -dev package of the source', () => {
    expect(publishedBinaries(['libfoo-dev'], ['libbar-dev'], ['libfoo-dev', 'libbar-dev'])).toEqual(['libfoo-dev']);
    expect(publishedBinaries([], ['libbar-dev'], ['libfoo-dev', 'libbar-dev'])).toEqual(['libbar-dev']);
    expect(publishedBinaries([], [], ['libfoo1', 'libfoo-dev', 'foo-tools'])).toEqual(['libfoo-dev']);
  });

  it('gives the package with the most collected files whatever is unclaimed, and leaves out the empty ones', () => {
    const claims = new Map([['libfoo-dev', ['include/foo.h', 'lib/libfoo.a']], ['libfoo-extra-dev', ['include/extra.h']], ['libfoo-empty-dev', []]]);
    expect(crossBinaries(['libfoo-dev', 'libfoo-extra-dev', 'libfoo-empty-dev'], claims)).toEqual([
      { name: 'libfoo-dev' }, { name: 'libfoo-extra-dev', claims: ['include/extra.h'] },
    ]);
  });
});
