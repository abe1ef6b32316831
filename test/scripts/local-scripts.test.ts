import { execFile, execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/dynamodb-local.ts';

/** The scripts a newcomer runs first: `npm run token` and `npm start`. */
const tsx = resolve('node_modules/.bin/tsx');

async function token(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(tsx, ['scripts/token.ts', ...args]).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('npm run token', () => {
  it('prints usage on --help, and bad arguments as one clear line with exit code 2', async () => {
    const [help, negative, unknown, noRole, ok] = await Promise.all([
      token('--help'),
      token('--role', 'staff', '--sub', 'stf-anna', '--hours=-3'),
      token('--role', 'staff', '--sub', 'stf-anna', '--bogus'),
      token('--sub', 'stf-anna'),
      token('--role', 'staff', '--sub', 'stf-anna'),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run -s token -- --role </);
    for (const bad of [negative, unknown, noRole]) {
      expect(bad.code).toBe(2);
      expect(bad.stdout).toBe('');
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).not.toMatch(/\n\s+at /);
    }
    expect(negative.stderr).toContain('--hours must be a number more than 0');
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
    expect(ok.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  }, 60_000);
});

const portOpen = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every process below `pid`, with its command line. */
function descendants(pid: number): { pid: number; command: string }[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .flatMap((m) => (m ? [{ pid: Number(m[1]), ppid: Number(m[2]), command: m[3] ?? '' }] : []));
  const found: { pid: number; command: string }[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const row of rows.filter((r) => r.ppid === parent)) {
      found.push({ pid: row.pid, command: row.command });
      queue.push(row.pid);
    }
  }
  return found;
}

describe('npm start', () => {
  // SIGINT takes the same path (npm forwards both, tsx relays both, the script handles both); one
  // signal keeps the suite quick, as each start costs DynamoDB Local and the demo data.
  for (const signal of ['SIGTERM'] as const) {
    it(`stops the API and DynamoDB Local on ${signal} to the npm process, and frees the port`, async () => {
      const port = await freePort();
      const npm = spawn('npm', ['start'], {
        env: { ...process.env, DATA_DIR: 'memory', PORT: String(port), LOG_LEVEL: 'SILENT' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      npm.stdout.on('data', (d: Buffer) => (output += d.toString()));
      npm.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<void>((done) => npm.once('exit', () => done()));
      let children: { pid: number; command: string }[] = [];
      try {
        const deadline = Date.now() + 90_000;
        while (!(await portOpen(port))) {
          if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        children = descendants(npm.pid ?? 0);
        expect(
          children.some((c) => /DynamoDBLocal\.jar/.test(c.command)),
          'DynamoDB Local runs as a child',
        ).toBe(true);

        npm.kill(signal);
        await exited;
        const stopDeadline = Date.now() + 15_000;
        while ((children.some((c) => alive(c.pid)) || (await portOpen(port))) && Date.now() < stopDeadline)
          await new Promise((r) => setTimeout(r, 200));
        expect(children.filter((c) => alive(c.pid)).map((c) => c.command)).toEqual([]);
        expect(await portOpen(port)).toBe(false);
      } finally {
        // Never leave a stray API or Java process behind, whatever failed above.
        for (const child of [...children, ...descendants(npm.pid ?? 0)])
          if (alive(child.pid)) process.kill(child.pid, 'SIGKILL');
        if (npm.exitCode === null) npm.kill('SIGKILL');
      }
    }, 120_000);
  }
});
