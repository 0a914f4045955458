// binNMU cases shared by the unit test and the integration test that checks them with dpkg.
/** The table the integration test also checks with `dpkg --compare-versions`. */
export const BINNMU_TABLE: readonly (readonly [string, readonly string[], string])[] = [
  ['1:7.2+dfsg-7+deb12u18', [], '1:7.2+dfsg-7+deb12u18+b1'],
  ['1:7.2+dfsg-7+deb12u18', ['1:7.2+dfsg-7+deb12u18'], '1:7.2+dfsg-7+deb12u18+b1'],
  ['1:7.2+dfsg-7+deb12u18', ['1:7.2+dfsg-7+deb12u18', '1:7.2+dfsg-7+deb12u18+b1'], '1:7.2+dfsg-7+deb12u18+b2'],
  ['1:7.2+dfsg-7+deb12u18', ['1:7.2+dfsg-7+deb12u18+b9'], '1:7.2+dfsg-7+deb12u18+b10'],
  ['1:7.2+dfsg-7+deb12u18', ['1:7.2+dfsg-7+deb12u17+b3', '1:7.2+dfsg-7+deb12u18'], '1:7.2+dfsg-7+deb12u18+b1'],
  // Real binNMUs of the bookworm archive (test/fixtures/embeds): the next one after each.
  ['1.4.1-3', ['1.4.1-3+b4'], '1.4.1-3+b5'],
  ['0.7.17-7', ['0.7.17-7+b2'], '0.7.17-7+b3'],
  ['0.7.8', ['0.7.8+b39'], '0.7.8+b40'],
  ['2.74.6-2~bpo11+1', ['2.74.6-2~bpo11+1'], '2.74.6-2~bpo11+1+b1'],
];

/** The application .deb writer's own rebuild suffix (src/deb/app-version.ts), counted the same way. */
export const STUBFORGE_MARKER_TABLE: readonly (readonly [string, readonly string[], string])[] = [
  ['1:7.2+dfsg-7+deb12u18', ['1:7.2+dfsg-7+deb12u18+stubforge1'], '1:7.2+dfsg-7+deb12u18+stubforge2'],
  ['1:7.2+dfsg-7+deb12u18', ['1:7.2+dfsg-7+deb12u18+stubforge9', '1:7.2+dfsg-7+deb12u18+b3'], '1:7.2+dfsg-7+deb12u18+stubforge10'],
];
