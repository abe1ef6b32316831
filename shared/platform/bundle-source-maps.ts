import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapping } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces of the bundled Lambdas that name the TypeScript source (`shared/http/app.ts:42:7`),
 * without Node's `--enable-source-maps`. That flag reads, parses and indexes a bundle's map, and
 * measures every line of the bundle, when the bundle loads: ~5 ms (0.2× `node -e ''`) of every cold
 * start (bench/README.md, figure 4), to serve the few stacks that are ever printed. Here a bundle's
 * map (`index.mjs.map`, shipped beside it) is read the first time one of its frames is formatted.
 * A frame without a map (a test, `npm start`, Node's own code) prints as V8 prints it.
 *
 * Installed by importing this module first in each Lambda entry (functions/), beside
 * luxon-defaults: it replaces `Error.prepareStackTrace` for the whole process, which tsx and
 * vitest set for themselves, so nothing else imports it.
 */
Error.prepareStackTrace = (error, sites) => stackTrace(error, sites);

const maps = new Map<string, SourceMap | undefined>();

/** The stack V8 would print, with each frame of a bundle that has a map put back on its source. */
function stackTrace(error: unknown, sites: readonly NodeJS.CallSite[]): string {
  return `${headline(error)}${sites.map((site, i) => `\n    at ${safeFrame(site, sites[i + 1])}`).join('')}`;
}

/** A frame that cannot be mapped (a map that does not fit its bundle) prints as V8 prints it: the stack is never lost. */
function safeFrame(site: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string {
  try {
    return frame(site, caller);
  } catch {
    return String(site);
  }
}

function headline(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

function frame(site: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string {
  const file = site.getFileName();
  const map = file?.endsWith('.mjs') ? mapOf(file) : undefined;
  const entry = map && at(map, site.getLineNumber(), site.getColumnNumber());
  if (!map || !entry) return String(site);
  // esbuild writes sources relative to the map (`../../../shared/…`); the project path reads better.
  const source =
    /(?:^|\/)((?:shared|functions|test|node_modules)\/.*)$/.exec(entry.originalSource)?.[1] ??
    entry.originalSource.replace(/^(?:\.\.\/)+/, '');
  return `${nameOf(map, site, caller)} (${source}:${entry.originalLine + 1}:${entry.originalColumn + 1})`;
}

/**
 * The function's name as written, as Node's own source-map support finds it: the name mapped at
 * the enclosing function, else the one at the caller's call expression in the same bundle.
 */
function nameOf(map: SourceMap, site: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string {
  const enclosing = at(map, site.getEnclosingLineNumber(), site.getEnclosingColumnNumber());
  const call =
    caller?.getFileName() === site.getFileName()
      ? at(map, caller?.getLineNumber(), caller?.getColumnNumber())
      : undefined;
  return enclosing?.name ?? call?.name ?? site.getFunctionName() ?? '<anonymous>';
}

/** The mapping at a 1-based line and column of the bundle, if the map has one. */
function at(map: SourceMap, line: number | null | undefined, column: number | null | undefined) {
  if (!line || !column) return undefined;
  const entry = map.findEntry(line - 1, column - 1);
  return isMapping(entry) ? (entry as SourceMapping & { name?: string }) : undefined;
}

function isMapping(entry: object): entry is SourceMapping {
  return 'originalSource' in entry;
}

function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(
        JSON.parse(readFileSync(`${path}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0],
      );
    } catch {
      map = undefined; // no map beside it: printed as V8 prints it
    }
    maps.set(file, map);
  }
  return maps.get(file);
}
