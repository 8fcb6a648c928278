export * from './apk.js';
export * from './compare.js';
export * from './constraint.js';
export * from './deb.js';
export * from './rpm.js';
export * from './semver.js';
export * from './types.js';
export * from './version-error.js';
