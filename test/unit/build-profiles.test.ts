import { describe, expect, it } from 'vitest';
import { profileEnv } from '../../src/executor/builders/build-profiles.js';

describe('a node\'s build profiles in its build step', () => {
  it('are exported as DEB_BUILD_PROFILES, space-separated in the plan\'s order', () => {
    expect(profileEnv({ profiles: ['cross', 'nocheck', 'nopython'] })).toEqual({ DEB_BUILD_PROFILES: 'cross nocheck nopython' });
  });

  it('set nothing when there are none', () => {
    expect(profileEnv({ profiles: [] })).toEqual({});
  });
});
