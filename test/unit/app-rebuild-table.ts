// Next-rebuild cases shared by the unit test and the integration test that checks them with dpkg:
// [source version, versions of the package already published, the next rebuild's version].
export const APP_REBUILD_TABLE: readonly (readonly [string, readonly string[], string])[] = [
  ['1:7.2+dfsg-7+deb12u18', [], '1:7.2+dfsg-7+deb12u18~stubforge1'],
  ['1:7.2+dfsg-7+deb12u18', ['1:7.2+dfsg-7+deb12u18~stubforge1'], '1:7.2+dfsg-7+deb12u18~stubforge2'],
  ['1:7.2+dfsg-7+deb12u18', ['1:7.2+dfsg-7+deb12u18~stubforge9', '1:7.2+dfsg-7+deb12u18~stubforge2'], '1:7.2+dfsg-7+deb12u18~stubforge10'],
  // A binNMU-style suffix left by an older stubforge counts as the rebuild it extends.
  ['1:7.2+dfsg-7+deb12u18', ['1:7.2+dfsg-7+deb12u18~stubforge1', '1:7.2+dfsg-7+deb12u18~stubforge1+b1'], '1:7.2+dfsg-7+deb12u18~stubforge2'],
  // Rebuilds of an earlier source version do not count; the new source version starts at 1.
  ['1:7.2+dfsg-7+deb12u19', ['1:7.2+dfsg-7+deb12u18~stubforge3'], '1:7.2+dfsg-7+deb12u19~stubforge1'],
  ['1:1.2.13.dfsg-1+deb12u1', ['1:1.2.13.dfsg-1~stubforge4'], '1:1.2.13.dfsg-1+deb12u1~stubforge1'],
  ['2.74.6-2~bpo11+1', ['2.74.6-2~bpo11+1~stubforge1'], '2.74.6-2~bpo11+1~stubforge2'],
  ['0.7.8', ['0.7.8~stubforge1'], '0.7.8~stubforge2'],
];

const Q = '1:7.2+dfsg-7+deb12u18';

/**
 * The version rule of a rebuilt application: after every version of the package stubforge knows
 * (the package being replaced, the local repository, the output repository, `--against-repo`).
 * [case, source version, known versions with where they were found, the next version, the one it sorts after].
 */
export const REBUILD_VERSION_TABLE: readonly (readonly [string, string, readonly (readonly [string, string])[], string, string])[] = [
  ['empty output repository: after the package being replaced', Q, [[`${Q}~stubforge1`, 'replaced'], [`${Q}~stubforge1`, 'local']], `${Q}~stubforge2`, `${Q}~stubforge1`],
  ['output repository behind the local one', Q,
    [[`${Q}~stubforge1`, 'replaced'], [`${Q}~stubforge1`, 'output'], [`${Q}~stubforge1`, 'local'], [`${Q}~stubforge2`, 'local']], `${Q}~stubforge3`, `${Q}~stubforge2`],
  ['a version only in --against-repo', Q, [[`${Q}~stubforge1`, 'replaced'], [`${Q}~stubforge4`, 'against']], `${Q}~stubforge5`, `${Q}~stubforge4`],
  ['a +b<N> on a ~stubforge<N> counts as that N', Q, [[`${Q}~stubforge1`, 'replaced'], [`${Q}~stubforge2+b1`, 'against']], `${Q}~stubforge3`, `${Q}~stubforge2+b1`],
  ['+b<N> of the one replaced, in the local repository', Q, [[`${Q}~stubforge1+b2`, 'replaced'], [`${Q}~stubforge1`, 'local']], `${Q}~stubforge2`, `${Q}~stubforge1+b2`],
  ['a rebuild of an earlier source version starts again at 1', '1:7.2+dfsg-7+deb12u19', [[`${Q}~stubforge3`, 'replaced']], '1:7.2+dfsg-7+deb12u19~stubforge1', `${Q}~stubforge3`],
  ['without the epoch is another, lower version', Q, [[`${Q}~stubforge1`, 'replaced'], ['7.2+dfsg-7+deb12u18~stubforge9', 'against']], `${Q}~stubforge2`, `${Q}~stubforge1`],
  ['epoch 0 is no epoch', '3.0.3-1', [['3.0.3-1~stubforge1', 'replaced'], ['0:3.0.3-1~stubforge2', 'output']], '3.0.3-1~stubforge3', '0:3.0.3-1~stubforge2'],
];

/** Known versions no rebuild of that source version can sort after: [case, source version, known, where the blocking one is]. */
export const REBUILD_VERSION_REFUSALS: readonly (readonly [string, string, readonly (readonly [string, string])[], string])[] = [
  ['a higher epoch in --against-repo', Q, [[`${Q}~stubforge1`, 'replaced'], ['2:7.2+dfsg-7+deb12u18~stubforge1', 'against']], 'against'],
  ['the bare source version (sorts above every ~stubforge of it)', Q, [[`${Q}~stubforge1`, 'replaced'], [Q, 'against']], 'against'],
  ['a plain +b<N> of the source version', Q, [[`${Q}~stubforge1`, 'replaced'], [`${Q}+b1`, 'output']], 'output'],
];

/** `-cross` packages rebuilt without a source change: [source version, versions already published, the new version]. */
export const CROSS_BINNMU_TABLE: readonly (readonly [string, readonly string[], string])[] = [
  ['2.74.6-2+deb12u9', [], '2.74.6-2+deb12u9'],
  ['2.74.6-2+deb12u9', ['2.74.6-2+deb12u9'], '2.74.6-2+deb12u9+b1'],
  ['2.74.6-2+deb12u9', ['2.74.6-2+deb12u9', '2.74.6-2+deb12u9+b1'], '2.74.6-2+deb12u9+b2'],
  ['2.74.6-2+deb12u9', ['2.74.6-2+deb12u9+b3', '2.74.6-2+deb12u9'], '2.74.6-2+deb12u9+b4'],
  // Builds of other source versions do not count.
  ['1:1.3.dfsg+really1.3.1-1+deb13u1', ['1:1.2.13.dfsg-1', '1:1.2.13.dfsg-1+b1'], '1:1.3.dfsg+really1.3.1-1+deb13u1'],
  ['2.74.6-2+deb12u10', ['2.74.6-2+deb12u9', '2.74.6-2+deb12u9+b1'], '2.74.6-2+deb12u10'],
  ['1:1.2.13.dfsg-1', ['1:1.2.13.dfsg-1'], '1:1.2.13.dfsg-1+b1'],
  ['3.4.4-1', ['0:3.4.4-1+b1'], '3.4.4-1+b2'],
  // Without the epoch, 1.2.13.dfsg-1 is another source version.
  ['1:1.2.13.dfsg-1', ['1.2.13.dfsg-1', '1.2.13.dfsg-1+b4'], '1:1.2.13.dfsg-1'],
];
