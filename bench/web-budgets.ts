import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildWeb, type WebBuild } from '../scripts/build-web.ts';
import { startDynamoDbLocal } from '../scripts/dynamodb-local.ts';
import { CHROMIUM } from '../scripts/ensure-chromium-path.ts';
import { startWebServer } from '../scripts/web-server.ts';
import { createApp } from '#shared/http/app.ts';
import { localVerifier, signLocalToken } from '#shared/http/auth.ts';
import { allRouters, credentialRoutes } from '#shared/app/routers.ts';
import { loadConfig } from '#shared/platform/config.ts';
import { createLocalDeps } from '#shared/app/local-deps.ts';
import { tabletTokens } from '#shared/tablets/tokens.ts';

/**
 * `npm run bench:web`: the web clients' budgets, measured (not asserted in tests):
 * - the tablet home's first render on an emulated slow 4G link (Chromium's network emulation:
 *   1.6 Mbps down, 750 kbps up, 150 ms RTT; cache disabled), from navigation to the next visit
 *   shown, median of RUNS loads of a paired tablet, with the Chime SDK not loaded;
 * - the JavaScript of each page: what loads with the page and what loads on demand, raw, gzip
 *   and brotli (CloudFront compresses; the local server does not), and the bytes transferred.
 * Writes bench/web-results.json and prints a summary.
 */
const NATIONAL_ID = '010145-1001';
const RUNS = Number(process.env.RUNS ?? 7);
const SLOW_4G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1_000_000) / 8,
  uploadThroughput: (750 * 1_000) / 8,
};
const root = resolve(import.meta.dirname, '..');

const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function sizes(file: string) {
  const body = readFileSync(file);
  return {
    raw: body.length,
    gzip: gzipSync(body, { level: 9 }).length,
    brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** Per page: the JS loaded with it (entry + its static imports) and the chunks it imports on demand. */
function pageJs(web: WebBuild, page: string) {
  const outputs = web.metafile.outputs;
  const key = (file: string) => relative(root, resolve(file));
  const entry = Object.keys(outputs).find((f) => key(f).endsWith(`${page}/app.js`));
  if (!entry) throw new Error(`no entry for ${page}`);
  const initial = new Set<string>();
  const lazy = new Set<string>();
  const visit = (file: string, into: Set<string>) => {
    if (initial.has(file) || into.has(file)) return;
    into.add(file);
    for (const imp of outputs[file]?.imports ?? []) {
      if (imp.kind === 'import-statement') visit(imp.path, into);
      else if (imp.kind === 'dynamic-import') visit(imp.path, lazy);
    }
  };
  visit(entry, initial);
  for (const f of initial) lazy.delete(f);
  const sum = (files: Set<string>) =>
    [...files]
      .map((f) => sizes(f))
      .reduce((a, s) => ({ raw: a.raw + s.raw, gzip: a.gzip + s.gzip, brotli: a.brotli + s.brotli }), {
        raw: 0,
        gzip: 0,
        brotli: 0,
      });
  const css = Object.keys(outputs).find((f) => key(f).endsWith(`${page}/app.css`));
  return {
    initialJs: { files: [...initial].map((f) => key(f).replace(/^.*?web-bench\//, '')), ...sum(initial) },
    onDemandJs: { files: [...lazy].map((f) => key(f).replace(/^.*?web-bench\//, '')), ...sum(lazy) },
    css: css ? sizes(css) : undefined,
    html: sizes(join(web.outdir, page, 'index.html')),
  };
}

const outdir = join(root, 'bench', '.tmp', 'web-bench');
mkdirSync(outdir, { recursive: true });
const web = await buildWeb({ outdir });
const ddb = await startDynamoDbLocal();
const config = loadConfig({
  ...process.env,
  STAGE: 'local',
  AUTH_MODE: 'local',
  DYNAMODB_ENDPOINT: ddb.endpoint,
  TABLE_NAME: `web-bench-${Date.now()}`,
  LOG_LEVEL: 'SILENT',
});
const deps = await createLocalDeps(config);
const app = createApp(deps, {
  verifier: localVerifier(config),
  routers: allRouters(),
  deviceRoutes: credentialRoutes,
  tabletTokens,
});
const server = await startWebServer({ fetch: app.fetch, webDir: web.outdir, meetings: deps.meetings });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    '--no-sandbox',
    '--headless',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
  ],
});

try {
  // A citizen with a visit tomorrow and a paired tablet.
  const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, string>;
  };
  const staff = await signLocalToken(config, { sub: 'stf-bench', roles: ['staff'], team: 'east' });
  const assessor = await signLocalToken(config, { sub: 'asr-bench', roles: ['assessor'], team: 'east' });
  const all = Array.from({ length: 7 }, (_, i) => ({ weekday: i + 1, start: '00:00', end: '24:00' }));
  await call('PUT', '/staff/stf-bench/availability', staff, { weekly: all, exceptions: [] });
  const citizen = await call('POST', '/citizens', assessor, {
    name: { given: 'Karen', family: 'Bench' },
    nationalId: NATIONAL_ID,
  });
  const start = new Date(Date.now() + 26 * 3_600_000);
  start.setUTCMinutes(0, 0, 0);
  await call('POST', '/visits', staff, {
    citizenId: citizen.citizenId,
    staffId: 'stf-bench',
    start: start.toISOString(),
    durationMinutes: 20,
    purpose: { grantId: 'grt_01KAQ3Y5B7D9F1H3K5M7P9R1T3', service: 'support_conversation' },
  });

  const firstRender: number[] = [];
  const fcp: number[] = [];
  const transferred: number[] = [];
  const chimeLoaded: boolean[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const { code } = await call('POST', `/citizens/${citizen.citizenId}/tablet-pairings`, staff);
    const { token } = await call('POST', '/tablet-pairings/redeem', undefined, { code });
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'da-DK' });
    await context.addInitScript(`localStorage.setItem('e-team.tablet.token', ${JSON.stringify(token)})`);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    let bytes = 0;
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
      bytes += e.encodedDataLength;
    });
    const scripts: string[] = [];
    page.on('request', (r) => scripts.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}/tablet`);
    await page.waitForSelector('.when');
    firstRender.push(Number(await page.evaluate('performance.now()')));
    fcp.push(
      Number(await page.evaluate(`performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN`)),
    );
    await page.waitForLoadState('networkidle');
    transferred.push(bytes);
    chimeLoaded.push(scripts.some((s) => s.startsWith('/assets/call-')));
    await context.close();
  }

  const pages = Object.fromEntries(web.pages.map((p) => [p, pageJs(web, p)]));
  const results = {
    measuredAt: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}, Chromium ${browser.version()}`,
    network: '1.6 Mbps down, 750 kbps up, 150 ms RTT (CDP Network.emulateNetworkConditions), cache disabled',
    runs: RUNS,
    tabletHome: {
      firstRenderMs: { median: Math.round(median(firstRender)), all: firstRender.map(Math.round) },
      firstContentfulPaintMs: { median: Math.round(median(fcp)) },
      transferredBytes: { median: median(transferred) },
      chimeSdkLoadedOnHome: chimeLoaded.some(Boolean),
    },
    pages,
  };
  writeFileSync(join(root, 'bench', 'web-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `Tablet home, slow 4G (${RUNS} runs): first render (next visit shown) median ${results.tabletHome.firstRenderMs.median} ms [${results.tabletHome.firstRenderMs.all.join(', ')}], FCP median ${results.tabletHome.firstContentfulPaintMs.median} ms, ${kb(results.tabletHome.transferredBytes.median)} KB transferred; Chime SDK loaded on home: ${results.tabletHome.chimeSdkLoadedOnHome}`,
  );
  for (const [page, r] of Object.entries(pages)) {
    console.log(
      `/${page}: JS with the page ${kb(r.initialJs.raw)} KB (gzip ${kb(r.initialJs.gzip)}, brotli ${kb(r.initialJs.brotli)}); on demand ${kb(r.onDemandJs.raw)} KB (gzip ${kb(r.onDemandJs.gzip)}, brotli ${kb(r.onDemandJs.brotli)}) ${r.onDemandJs.files.join(' ')}; CSS ${kb(r.css?.raw ?? 0)} KB; HTML ${kb(r.html.raw)} KB`,
    );
  }
} finally {
  await browser.close();
  await server.close();
  await ddb.stop();
}
