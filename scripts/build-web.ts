import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

/**
 * Builds the web clients in `web/` with the project's own esbuild: one page per folder that has
 * a `main.ts` (`web/tablet`, `web/console`), served at `/<page>`; code shared by pages and code
 * loaded on demand (the Chime SDK, loaded on the tap that joins a call) land in `/assets/`.
 * The offline API docs (`/docs`) are Swagger UI copied from the installed `swagger-ui-dist`.
 * Nothing is fetched from a CDN at run time.
 *
 * Layout of the output (served from the site root, and uploaded as-is to the web bucket):
 *   <page>/index.html, <page>/app.js, <page>/app.css, assets/<chunk>.js, docs/…
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_SOURCE = join(root, 'web');
export const DEFAULT_WEB_OUT = join(root, 'dist', 'web');

/** The pages: every folder under web/ (but `common`) with a main.ts. */
export function webPages(): string[] {
  return readdirSync(WEB_SOURCE)
    .filter(
      (name) =>
        name !== 'common' &&
        statSync(join(WEB_SOURCE, name)).isDirectory() &&
        existsSync(join(WEB_SOURCE, name, 'main.ts')),
    )
    .sort();
}

/**
 * The Chime SDK's package index also carries its messaging client, which requires AWS SDK clients
 * with Node-only credential providers. Meetings never call them, so in the browser build every
 * `@aws-sdk/*` module is an empty one: smaller, and no Node built-ins to resolve.
 */
const noAwsSdkInBrowser: Plugin = {
  name: 'no-aws-sdk-in-browser',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\// }, (args) => ({ path: args.path, namespace: 'aws-sdk-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'aws-sdk-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

export interface WebBuild {
  outdir: string;
  pages: string[];
  metafile: Metafile;
}

export async function buildWeb(options: { outdir?: string; minify?: boolean } = {}): Promise<WebBuild> {
  const outdir = options.outdir ?? DEFAULT_WEB_OUT;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const pages = webPages();
  const result = await build({
    entryPoints: Object.fromEntries(pages.map((page) => [`${page}/app`, join(WEB_SOURCE, page, 'main.ts')])),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'safari16', 'firefox115'],
    minify: options.minify ?? true,
    sourcemap: false,
    chunkNames: 'assets/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    // Some of the Chime SDK's dependencies expect Node's `global`.
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    plugins: [noAwsSdkInBrowser],
  });
  for (const page of pages) cpSync(join(WEB_SOURCE, page, 'index.html'), join(outdir, page, 'index.html'));
  await buildServiceWorkers(outdir, pages, options.minify ?? true);
  copySwaggerUi(join(outdir, 'docs'));
  writeFileSync(join(outdir, 'build.json'), JSON.stringify({ pages, builtAt: new Date().toISOString() }));
  return { outdir, pages, metafile: result.metafile };
}

/**
 * Each page's service worker (web push), `/<page>/sw.js`: a classic script (module workers are
 * not everywhere yet), one file, in the page's folder so its scope is the page.
 */
async function buildServiceWorkers(outdir: string, pages: string[], minify: boolean): Promise<void> {
  await build({
    entryPoints: Object.fromEntries(pages.map((page) => [`${page}/sw`, join(WEB_SOURCE, 'common', 'push-sw.ts')])),
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome109', 'safari16', 'firefox115'],
    minify,
    legalComments: 'none',
    logLevel: 'silent',
  });
}

/** Swagger UI from the installed package; its initialiser is our own file (no inline script, CSP). */
function copySwaggerUi(target: string): void {
  const dist = dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')));
  mkdirSync(target, { recursive: true });
  for (const file of [
    'swagger-ui.css',
    'swagger-ui-bundle.js',
    'swagger-ui-standalone-preset.js',
    'favicon-32x32.png',
  ]) {
    cpSync(join(dist, file), join(target, file));
  }
  cpSync(join(WEB_SOURCE, 'common', 'docs-init.js'), join(target, 'docs-init.js'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outdir, pages } = await buildWeb({ ...(process.argv[2] ? { outdir: resolve(process.argv[2]) } : {}) });
  console.log(`web clients built: ${pages.map((p) => `/${p}`).join(', ')} and /docs in ${outdir}`);
}
