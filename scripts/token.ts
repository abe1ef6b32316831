import { parseArgs } from 'node:util';
import { roleSchema } from '#shared/platform/actor.ts';
import { loadConfig } from '#shared/platform/config.ts';
import { signLocalToken } from '#shared/http/auth.ts';

/**
 * LOCAL ONLY: prints a token the local API accepts, and nothing else, so scripts can use
 *   TOKEN=$(npm run -s token -- --role staff --sub stf-anna)
 * --role may repeat; --team defaults to the demo team; --hours sets the lifetime (default 8).
 * Bad arguments are one line on stderr and exit code 2, never a stack trace.
 */
const USAGE = `usage: npm run -s token -- --role <${roleSchema.options.join('|')}> --sub <id> [--role <another>] [--team east] [--hours 8]

Prints a development token for the local API (never accepted by a deployed stage).
  --role   a role; repeat for several
  --sub    the subject: a staff id (stf-anna), or a citizen id for a citizen's tablet
  --team   the team (default east, the demo team)
  --hours  lifetime in hours, more than 0 and at most 720 (default 8)`;

function fail(message: string): never {
  console.error(`token: ${message} (npm run token -- --help for usage)`);
  process.exit(2);
}

let values: { role?: string[]; sub?: string; team?: string; hours?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true },
      sub: { type: 'string' },
      team: { type: 'string', default: 'east' },
      hours: { type: 'string', default: '8' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail((error as Error).message.replace(/\s*\n\s*/g, ' '));
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.role || values.role.length === 0) fail('give at least one --role');
const unknown = values.role.filter((r) => !roleSchema.safeParse(r).success);
if (unknown.length > 0) fail(`unknown role ${unknown.join(', ')}; one of ${roleSchema.options.join(', ')}`);
if (!values.sub || !/^[A-Za-z0-9._@-]{1,128}$/.test(values.sub)) fail('give --sub <id> (letters, digits, . _ @ -)');
const hours = Number(values.hours);
if (!Number.isFinite(hours) || hours <= 0 || hours > 720)
  fail(`--hours must be a number more than 0 and at most 720, not "${values.hours}"`);
if (!values.team || !/^[a-z0-9-]{1,40}$/.test(values.team)) fail('--team must be lower-case letters, digits or -');

const config = loadConfig({ ...process.env, STAGE: 'local', AUTH_MODE: 'local' });
const token = await signLocalToken(config, {
  sub: values.sub,
  roles: values.role.flatMap((r) => {
    const parsed = roleSchema.safeParse(r);
    return parsed.success ? [parsed.data] : [];
  }),
  team: values.team,
  expiresInSeconds: Math.round(hours * 3600),
});
process.stdout.write(`${token}\n`);
