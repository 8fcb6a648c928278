// The apk driver's building blocks (Alpine): commands and parsers, verified on captured outputs
// only (readme.md). Not registered as a PackageDriver yet: the contract is being reshaped.
export * from './commands.js';
export * from './parse-failure.js';
export * from './parse-install.js';
export * from './parse-installed.js';
export * from './parse-lock.js';
export * from './parse-reboot.js';
export * from './parse-updates.js';
export * from './parse-world.js';
export { APK_INSTALLED_DB, APK_LOCK_FILE, APK_WORLD_FILE, UPGRADE_VIRTUAL } from './scripts.js';
export { splitNameVersion } from './common.js';
