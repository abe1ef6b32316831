import '#shared/platform/luxon-defaults.ts';
import { join, resolve } from 'node:path';
import webpush from 'web-push';
import { createLocalApp } from '#shared/app/local-app.ts';
import { jobs, runJob } from '#shared/app/job-registry.ts';
import { loadConfig } from '#shared/platform/config.ts';
import { createLocalDeps } from '#shared/app/local-deps.ts';
import { logger } from '#shared/platform/logger.ts';
import { seedDemoData } from '#shared/demo/all.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { buildWeb } from './build-web.ts';
import { startWebServer } from './web-server.ts';
import { clearLocalApiInfo, writeLocalApiInfo } from './local-api.ts';

/**
 * `npm start`: the whole API on http://localhost:$PORT, on DynamoDB Local (a child process,
 * stopped with us), with in-process stand-ins for Chime, EventBridge and Scheduler.
 * DATA_DIR (default .data) keeps the data between starts; DATA_DIR=memory keeps none.
 */
const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? '.data';
const inMemory = dataDir === 'memory';

const ddb = await startDynamoDbLocal({ dataDir: inMemory ? 'memory' : join(resolve(dataDir), 'dynamodb') });
// A VAPID key pair per start unless one is given, so browsers can subscribe to the local outbox's pushes.
const vapid = process.env.VAPID_PUBLIC_KEY
  ? {}
  : (({ publicKey, privateKey }) => ({ VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey }))(
      webpush.generateVAPIDKeys(),
    );
const config = loadConfig({
  ...process.env,
  ...vapid,
  STAGE: 'local',
  AUTH_MODE: 'local',
  DYNAMODB_ENDPOINT: ddb.endpoint,
});
const deps = await createLocalDeps(config);
// The table's stream delivers domain events and derives device data, as the stream Lambda does on AWS.
deps.stream.startTimer(Number(process.env.STREAM_POLL_MS ?? 100));
const { seeded, demo } = await seedDemoData(deps);
await deps.drainOutbox();

const app = createLocalApp(deps);
// The web clients on the API's origin, as CloudFront serves them on AWS.
const web = await buildWeb();
const server = await startWebServer({
  fetch: app.fetch,
  webDir: web.outdir,
  port,
  meetings: deps.meetings,
  now: () => deps.clock.now(),
});

// Jobs that run on a schedule on AWS run on timers here; one-time jobs run when due.
deps.scheduler.startTimer(15_000, (error) => logger.error('local one-time job failed', { error: error as Error }));
const timers = Object.entries(jobs)
  .filter(([, job]) => job.every)
  .map(([name, job]) => {
    const [, amount = '1', unit = 'minutes'] = /rate\((\d+) (\w+)\)/.exec(job.every ?? '') ?? [];
    const ms = Number(amount) * (unit.startsWith('hour') ? 3_600_000 : unit.startsWith('day') ? 86_400_000 : 60_000);
    return setInterval(
      () => runJob(deps, name).catch((error) => logger.error('local job failed', { job: name, error: error as Error })),
      ms,
    );
  });

writeLocalApiInfo({
  apiUrl: `http://localhost:${port}`,
  dynamoEndpoint: ddb.endpoint,
  tableName: config.TABLE_NAME,
  pid: process.pid,
});

const ids = Object.entries(demo.ids)
  .map(([name, id]) => `    ${name.padEnd(24)} ${id}`)
  .join('\n');
console.log(`
E-team API (local) on http://localhost:${port}
  OpenAPI:   http://localhost:${port}/openapi.json    browsable: http://localhost:${port}/docs
  Tablet:    ${server.url}/tablet (pair it with a code from POST /citizens/{id}/tablet-pairings)
  Data:      ${inMemory ? 'in memory (DATA_DIR=memory)' : resolve(dataDir)} on DynamoDB Local at ${ddb.endpoint}${seeded ? ' (demo data loaded)' : ''}
  Video, events and schedules run in process (local stand-ins for Chime, EventBridge, Scheduler);
  domain events leave through the table's stream, polled here as the stream Lambda would.

Get a token (team "${demo.team}") and call the API:
  TOKEN=$(npm run -s token -- --role staff --sub ${demo.ids.staff ?? 'stf-anna'})
  curl -H "authorization: Bearer $TOKEN" http://localhost:${port}/citizens
Roles: assessor, staff, lead, citizen (--sub <citizenId>), admin. Run a job once: npm run job -- <name>
${ids ? `Demo ids:\n${ids}\n` : ''}Stop with Ctrl+C.`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  timers.forEach(clearInterval);
  deps.scheduler.stopTimer();
  deps.stream.stopTimer();
  await server.close();
  clearLocalApiInfo();
  await ddb.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
