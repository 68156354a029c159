/** Jest in ESM mode: TypeScript through ts-jest, `.js` import suffixes mapped back to the `.ts` sources. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: { isolatedModules: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, esModuleInterop: true, skipLibCheck: true, resolveJsonModule: true, types: ['node', 'jest'] } }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/integration_tests/**/*.test.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
  // One scratch folder per run (TMPDIR), removed at the end; every output the reliability tests collect is grepped for the API keys then (issue 9).
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
};
