// The dnf driver (readme.md): `dnf` (driver.ts), registered in src/drivers/api.ts, and its parts.
export * from './combine.js';
export * from './commands.js';
export * from './driver.js';
export * from './nevra.js';
export * from './parse-check-update.js';
export * from './parse-facts.js';
export * from './parse-holds.js';
export * from './parse-install.js';
export * from './parse-installed.js';
export * from './parse-inventory.js';
export * from './parse-preflight.js';
export * from './parse-reboot.js';
export * from './parse-updateinfo.js';
export * from './parse-updates.js';
export * from './preflight.js';
export * from './scripts.js';
