// Building blocks of the dnf driver (readme.md). Not registered as a PackageDriver yet.
export * from './combine.js';
export * from './commands.js';
export * from './nevra.js';
export * from './parse-check-update.js';
export * from './parse-holds.js';
export * from './parse-install.js';
export * from './parse-installed.js';
export * from './parse-reboot.js';
export * from './parse-updateinfo.js';
export * from './parse-updates.js';
export * from './scripts.js';
