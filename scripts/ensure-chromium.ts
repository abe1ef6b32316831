import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { CHROMIUM } from './ensure-chromium-path.ts';

/**
 * Part of `npm test`: the browser tests drive Debian's Chromium through playwright-core
 * (Playwright's own browser download is not reachable). On a fresh machine this installs it;
 * if that is impossible the test run fails here, loudly — browser tests are never skipped.
 */

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

if (!executable(CHROMIUM)) {
  console.log(`${CHROMIUM} is missing: installing Debian's chromium (apt-get) for the browser tests`);
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const run = (args: string[]) => {
    const [command = 'apt-get', ...rest] = [...asRoot, ...args];
    execFileSync(command, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  try {
    run(['apt-get', 'update']);
    run(['apt-get', 'install', '-y', '--no-install-recommends', 'chromium']);
  } catch (error) {
    console.error(
      `Could not install chromium (${(error as Error).message}). The browser tests need ${CHROMIUM}; install Debian's "chromium" package or set CHROMIUM_PATH.`,
    );
    process.exit(1);
  }
  if (!executable(CHROMIUM)) {
    console.error(`chromium was installed but ${CHROMIUM} is still missing; set CHROMIUM_PATH.`);
    process.exit(1);
  }
}
console.log(`browser tests use ${CHROMIUM}`);
