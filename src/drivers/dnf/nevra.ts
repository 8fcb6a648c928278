// NEVRA / EVR helpers: shared by the RPM-family drivers (../rpm/nevra.ts, ../rpm/readme.md).
export * from '../rpm/nevra.js';
