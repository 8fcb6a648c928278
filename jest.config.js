// Tests run as native ESM (chalk, ora and p-limit ship ESM only); @swc/jest strips types fast,
// `npm run typecheck` does the type checking.
import { availableParallelism } from 'node:os';

export default {
  testEnvironment: 'node',
  // Jest's default (cores - 1) is one worker on a 2-core CI machine: the lab suite, which mostly
  // waits on its hosts, then ran alone for a quarter of an hour before the unit suites. Two
  // workers at least let them overlap.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  roots: ['<rootDir>/src', '<rootDir>/test'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  coverageProvider: 'v8',
  collectCoverageFrom: [
    'src/**/*.ts',
    '!src/**/*.test.ts',
    '!src/**/__fixtures__/**',
    '!src/test-support/**',
  ],
  coverageReporters: ['text-summary', 'lcov'],
  testTimeout: 30000,
};
