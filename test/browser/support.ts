import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildWeb, type WebBuild } from '../../scripts/build-web.ts';
import { CHROMIUM } from '../../scripts/ensure-chromium-path.ts';
import { startWebServer, type WebServer } from '../../scripts/web-server.ts';
import type { Role } from '#shared/platform/actor.ts';
import type { Clock } from '#shared/platform/clock.ts';
import type { Config } from '#shared/platform/config.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

/**
 * Browser tests (tablet, staff console): Debian's Chromium driven by playwright-core, against the
 * built web clients and the whole API on DynamoDB Local, on one origin as in production.
 * `npm test` provisions Chromium first (scripts/ensure-chromium.ts); a missing browser fails
 * the launch, it never skips a test.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
] as const;

/** Screenshots a reviewer looks at: test-output/screenshots/<suite>/<name>.png (git-ignored). */
export const OUTPUT_DIR = resolve('test-output');

let built: Promise<WebBuild> | undefined;
/** The web clients, built once per test file (in its own directory, so parallel files don't collide). */
export function builtWeb(): Promise<WebBuild> {
  built ??= buildWeb({ outdir: join(OUTPUT_DIR, 'web-build', `${process.pid}-${randomBytes(3).toString('hex')}`) });
  return built;
}

export interface WebStack {
  t: TestApp;
  server: WebServer;
  url: string;
  browser: Browser;
  /** A token of a staff member (or any role) for calls the test makes as staff. */
  staffToken(sub?: string, roles?: Role | Role[], team?: string): Promise<string>;
  /** A fresh browser context (own storage: a tablet, a staff PC) with camera/microphone allowed. */
  newPage(options?: {
    zoom?: number;
    viewport?: { width: number; height: number };
  }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS], headless: true, timeout: 60_000 });
}

export async function startWebStack(options: { clock?: Clock; config?: Partial<Config> } = {}): Promise<WebStack> {
  const [t, web, browser] = await Promise.all([createTestApp(options), builtWeb(), launchChromium()]);
  const server = await startWebServer({
    fetch: t.app.fetch,
    webDir: web.outdir,
    meetings: t.deps.meetings,
    now: () => t.deps.clock.now(),
  });
  const contexts: BrowserContext[] = [];
  return {
    t,
    server,
    url: server.url,
    browser,
    staffToken: (sub = 'stf-anna', roles: Role | Role[] = 'staff', team = 'east') => t.token(roles, sub, team),
    async newPage(opts = {}) {
      const context = await browser.newContext({
        baseURL: server.url,
        viewport: opts.viewport ?? { width: 1024, height: 768 },
        deviceScaleFactor: opts.zoom ?? 1,
        permissions: ['camera', 'microphone'],
        locale: 'da-DK',
        timezoneId: 'Europe/Copenhagen',
      });
      contexts.push(context);
      const page = await context.newPage();
      return { context, page };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await server.close();
      const building = built;
      built = undefined;
      const web = await building;
      if (web) rmSync(web.outdir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under test-output/screenshots/<suite>/<name>.png and returns its path. */
export async function screenshot(page: Page, suite: string, name: string): Promise<string> {
  const dir = join(OUTPUT_DIR, 'screenshots', suite);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

const axeSource = (): string => {
  const require = createRequire(import.meta.url);
  return (require('axe-core') as { source: string }).source;
};

/**
 * axe-core against WCAG 2.1 A/AA on what the page shows now; returns the serious and critical
 * violations (the tests expect none). axe is injected as an evaluated script, so the page's
 * CSP (no inline scripts) does not block it.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource());
  // Strings, not functions: they run in the page, which the test's (Node) types don't describe.
  const violations =
    (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const CONTROL_NAME = `(el) => (el.getAttribute('aria-label') || el.textContent || el.name || el.tagName).trim()`;

/**
 * Tabs through the page and returns the accessible names of the controls that received focus,
 * so a test can assert every control is reachable by keyboard.
 */
export async function tabOrder(page: Page, maxSteps = 40): Promise<string[]> {
  const seen: string[] = [];
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  for (let i = 0; i < maxSteps; i += 1) {
    await page.keyboard.press('Tab');
    const name = (await page.evaluate(
      `(() => { const el = document.activeElement; return !el || el === document.body ? '' : (${CONTROL_NAME})(el); })()`,
    )) as string;
    // Focus wraps round through the browser's own UI (nothing focused): keep going until a control comes round again.
    if (!name) continue;
    if (seen.includes(name)) break;
    seen.push(name);
  }
  return seen;
}

/** Names of the visible, enabled interactive controls, for comparison with `tabOrder`. */
export async function visibleControls(page: Page): Promise<string[]> {
  return (await page.evaluate(`[...document.querySelectorAll('button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"])')]
    .filter((el) => el.offsetParent !== null && !el.disabled).map(${CONTROL_NAME})`)) as string[];
}
