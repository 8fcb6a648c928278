// What the RPM-family drivers (dnf, zypper) share: readme.md.
export * from './nevra.js';
export * from './parse-installed.js';
export * from './query.js';
