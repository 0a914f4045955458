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
