import { defineConfig } from 'vitest/config';

/**
 * Two projects, both run by `vitest run` (`npm test`): `unit` (rules and parsers without I/O:
 * the tests beside the code in shared/ and the rule tests in test/) and `integration` (through
 * the HTTP app on DynamoDB Local, the stack, the browser). `npm run test:unit` runs the first
 * alone, without starting DynamoDB Local.
 */
const unit = [
  'shared/**/*.property.test.ts',
  'shared/platform/retry.test.ts',
  'shared/table/named-transaction.test.ts',
  'test/care/conversion-rules.test.ts',
  'test/care/readiness-rule.test.ts',
  'test/dispensers/rules.test.ts',
  'test/dispensers/raw-event-guard-rules.test.ts',
  'test/domain-events/stream-routing.test.ts',
  'test/visits/free-slots-rules.test.ts',
  'test/visits/rules.test.ts',
  'test/console/console-logic.test.ts',
  'test/bench/bench-math.test.ts',
  'test/foundation/layers.test.ts',
];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts', 'shared/**/*.test.ts'],
          exclude: unit,
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
