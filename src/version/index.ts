// Debian versions: parsing (deb-version(7)), dpkg's ordering, relation operators.
export { parseVersion, formatVersion, type DebVersion, type VersionError } from './deb-version.js';
export { compareVersions, compareVersionStrings, compareVersionPart, type Ordering } from './compare.js';
export { satisfiesConstraint, checkConstraint, orderingSatisfies } from './constraint.js';
