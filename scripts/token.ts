import { parseArgs } from 'node:util';
import { roleSchema } from '../shared/platform/actor.ts';
import { loadConfig } from '../shared/platform/config.ts';
import { signLocalToken } from '../shared/http/auth.ts';

/**
 * LOCAL ONLY: prints a token the local API accepts, and nothing else, so scripts can use
 *   TOKEN=$(npm run -s token -- --role staff --sub stf-anna)
 * --role may repeat; --team defaults to the demo team; --hours sets the lifetime (default 8).
 */
const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true },
    sub: { type: 'string' },
    team: { type: 'string', default: 'east' },
    hours: { type: 'string', default: '8' },
  },
});

const roles = (values.role ?? []).map((r) => roleSchema.safeParse(r));
if (roles.length === 0 || roles.some((r) => !r.success) || !values.sub) {
  console.error(`usage: npm run -s token -- --role <${roleSchema.options.join('|')}> --sub <id> [--team east] [--hours 8]`);
  process.exit(2);
}
const config = loadConfig({ ...process.env, STAGE: 'local', AUTH_MODE: 'local' });
const token = await signLocalToken(config, {
  sub: values.sub,
  roles: roles.flatMap((r) => (r.success ? [r.data] : [])),
  team: values.team,
  expiresInSeconds: Math.round(Number(values.hours) * 3600),
});
process.stdout.write(`${token}\n`);
