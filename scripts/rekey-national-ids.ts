import { createInterface } from 'node:readline';
import { rekeyNationalId, type RekeyOutcome } from '#shared/citizens/national-id-rotation.ts';
import { parseNationalId } from '#shared/citizens/national-id.ts';
import { createAwsDeps } from '#shared/app/aws-deps.ts';
import { loadConfig } from '#shared/platform/config.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { newId } from '#shared/platform/ids.ts';
import { createLocalDeps } from '#shared/app/local-deps.ts';

/**
 * `npm run rekey:national-ids < ids.txt`: the second half of a pepper rotation
 * (docs/pepper-rotation.md). Reads national ids, one per line, from the municipality's register
 * export on stdin and moves each claim still under the previous pepper to the current one. Prints
 * counts only, never an id. With DYNAMODB_ENDPOINT it runs on DynamoDB Local with the local
 * secrets (NATIONAL_ID_PEPPER, PREVIOUS_NATIONAL_ID_PEPPER); without, on AWS with the stage's
 * environment (TABLE_NAME, APP_SECRET_ARN, STAGE, AUTH_MODE=cognito, …) and the caller's credentials.
 */
const config = loadConfig();
const deps: Deps = config.DYNAMODB_ENDPOINT ? await createLocalDeps(config) : createAwsDeps(config);
if (!(await deps.secrets.get()).previousNationalIdPepper) {
  console.error('No previous pepper in the app secret: there is no rotation to finish.');
  process.exit(2);
}
const counts: Record<RekeyOutcome | 'invalid', number> = { moved: 0, current: 0, unknown: 0, invalid: 0 };
const ctx = { system: 'rekey-national-ids', requestId: newId('req'), now: new Date() };
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  const parsed = parseNationalId(line);
  if (!parsed.ok) {
    counts.invalid++;
    continue;
  }
  counts[await rekeyNationalId(deps, ctx, parsed.digits)]++;
}
console.log(JSON.stringify(counts));
