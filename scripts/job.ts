import { jobs, runJob } from '#shared/app/job-registry.ts';
import { loadConfig } from '#shared/platform/config.ts';
import { createLocalDeps } from '#shared/app/local-deps.ts';
import { readLocalApiInfo } from './local-api.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { join, resolve } from 'node:path';

/**
 * `npm run job -- <name> [json-payload]`: runs one scheduled job once, against the data of the
 * running `npm start` (or, when none runs, against DATA_DIR directly).
 */
const [name, payloadJson] = process.argv.slice(2);
if (!name || !jobs[name]) {
  console.error(
    `usage: npm run job -- <name> [json-payload]\njobs:\n${Object.entries(jobs)
      .map(([n, j]) => `  ${n.padEnd(28)} ${j.description}`)
      .join('\n')}`,
  );
  process.exit(2);
}
let payload: Record<string, unknown> = {};
try {
  payload = payloadJson ? (JSON.parse(payloadJson) as Record<string, unknown>) : {};
} catch {
  console.error('The payload must be a JSON object.');
  process.exit(2);
}

const running = readLocalApiInfo();
let ddb: DynamoDbLocal | undefined;
if (!running) {
  const dataDir = process.env.DATA_DIR ?? '.data';
  if (dataDir === 'memory') {
    console.error('No local API is running and DATA_DIR=memory keeps no data: start it with npm start first.');
    process.exit(2);
  }
  ddb = await startDynamoDbLocal({ dataDir: join(resolve(dataDir), 'dynamodb') });
}
const config = loadConfig({
  ...process.env,
  STAGE: 'local',
  AUTH_MODE: 'local',
  DYNAMODB_ENDPOINT: running?.dynamoEndpoint ?? ddb?.endpoint,
  ...(running ? { TABLE_NAME: running.tableName } : {}),
});
const deps = await createLocalDeps(config);
try {
  const result = await runJob(deps, name, payload);
  console.log(JSON.stringify({ job: name, result }, null, 2));
} finally {
  await ddb?.stop();
}
