import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodesOfBuildLog } from '../../src/executor/batch/batch-build-log.js';

const REAL = readFileSync(new URL('../fixtures/batch/build-zlib-built.log', import.meta.url), 'utf8');
const line = (fields: Record<string, unknown>): string => JSON.stringify({ level: 30, app: 'stubforge', ...fields });

describe('nodesOfBuildLog', () => {
  it('reads the node events of a real build log between its plain lines', () => {
    expect(nodesOfBuildLog(REAL)).toEqual([{
      source: 'zlib', status: 'built', key: '88110c302512717f01afdc1e156b0913eb8ffd1422ae384e0fbb867fdaaadc56',
      durationMs: 5620, log: '/tmp/sf-batch1/home/state/logs/20261121T133451Z-1861-522a8a/zlib.log',
    }]);
  });

  it.each([
    ['cached', [line({ package: 'zlib', key: 'k1', msg: 'node cached' })], [{ source: 'zlib', status: 'cached', key: 'k1' }]],
    ['failed after start', [line({ package: 'xen', key: 'k2', msg: 'node started' }), line({ package: 'xen', key: 'k2', reason: 'step', logFile: '/l/xen.log', msg: 'node failed' })],
      [{ source: 'xen', status: 'failed', key: 'k2', log: '/l/xen.log' }]],
    ['started, then the build was killed', [line({ package: 'glib2.0', key: 'k3', msg: 'node started' })], [{ source: 'glib2.0', status: 'unfinished', key: 'k3' }]],
    ['skipped', [line({ package: 'qemu', because: 'needs xen', msg: 'node skipped' })], [{ source: 'qemu', status: 'skipped' }]],
    ['other messages and plain text', ['{not json', line({ package: 'zlib', msg: 'build start' }), '[1/1] zlib: done'], []],
  ])('%s', (_what, lines, expected) => {
    expect(nodesOfBuildLog(lines.join('\n'))).toEqual(expected);
  });
});
