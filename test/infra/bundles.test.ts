import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import {
  functionBuildOptions,
  lambdaEsbuildOptions,
  lambdaFunctions,
  MAX_BUNDLE_BYTES,
  PROJECT_ROOT,
  type LambdaFunctionName,
} from '../../infra/bundling.ts';
import { functionAccess, type FunctionAccess } from '../../infra/access.ts';
import { openApiDocument } from '#shared/http/app.ts';
import { allRouters } from '#shared/app/routers.ts';
import { signLocalToken } from '#shared/http/auth.ts';
import { loadConfig } from '#shared/platform/config.ts';

/**
 * The bundles as AWS runs them, built with the stack's own esbuild options (plugins included).
 * The stack tests skip bundling to stay fast; these build for real.
 */

// Inside the project, so the bundle finds `@aws-sdk/*` (external, the runtime's on Lambda) in node_modules.
const OUT = join(PROJECT_ROOT, 'node_modules', '.cache', 'e-team-bundles-test', String(process.pid));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

/**
 * A fixture (test/infra/fixtures/) bundled with the stack's options, then imported by `script` in a
 * Node process of its own; `script` gets the bundle's URL and writes its findings to stdout.
 */
async function runBundledFixture(fixture: string, script: (url: string) => string) {
  const outdir = join(OUT, fixture);
  mkdirSync(outdir, { recursive: true });
  await build({
    ...lambdaEsbuildOptions,
    entryPoints: [join(PROJECT_ROOT, 'test/infra/fixtures', `${fixture}.ts`)],
    outdir,
    entryNames: 'index',
    logLevel: 'silent',
  });
  const url = JSON.stringify(pathToFileURL(join(outdir, 'index.mjs')).href);
  return spawnSync(process.execPath, ['--input-type=module', '-e', script(url)], {
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

/** One function of the manifest built with the stack's options into its own directory. */
async function buildFunction(name: LambdaFunctionName) {
  const outdir = join(OUT, name);
  mkdirSync(outdir, { recursive: true });
  const spec = lambdaFunctions.find((f) => f.name === name);
  if (!spec) throw new Error(`${name} is missing from the manifest`);
  return { outdir, result: await build({ ...functionBuildOptions(spec, outdir), logLevel: 'silent', metafile: true }) };
}

/** A script in a Node process of its own, with the environment a test stage's Lambda has. */
function runInLambdaLikeProcess(script: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      STAGE: 'test',
      AWS_REGION: 'eu-north-1',
      LOG_LEVEL: 'SILENT',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

/** An API Gateway v2 event for a GET, as the gateway sends it to a route's Lambda. */
function gatewayGet(
  routeKey: string,
  path: string,
  requestId: string,
  extra: { rawQueryString?: string; headers?: Record<string, string> } = {},
) {
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: extra.rawQueryString ?? '',
    headers: { host: 'api.example.org', ...extra.headers },
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.example.org',
      domainPrefix: 'api',
      requestId,
      routeKey,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 0,
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'bundle-test' },
    },
  };
}

describe('the public function’s bundle', () => {
  it('stays under 500 KB, loads neither zod nor any AWS client, and serves the whole API’s document, health and problem answers without the API', async () => {
    const { outdir, result } = await buildFunction('Public');

    const file = join(outdir, 'index.mjs');
    expect(statSync(file).size).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(readFileSync(file, 'utf8').startsWith(lambdaEsbuildOptions.banner.js)).toBe(true);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => /zod\/v4\/locales\/(?!index\.js$|en\.js$)/.test(input))).toEqual([]);
    // No capability's routes: the document is a constant.
    expect(
      inputs.filter((input) => /^shared\/(citizens|assessment|conversion|dispensers|alerts|audit)\//.test(input)),
    ).toEqual([]);
    // Nothing to validate, so neither zod nor the OpenAPI layer (most of the other functions' import time).
    expect(inputs.filter((input) => /node_modules\/(zod|@hono\/zod-openapi|@asteasolutions)\//.test(input))).toEqual(
      [],
    );

    // The handler, in a Node process of its own, as Lambda would call it for GET /openapi.json.
    const event = gatewayGet('GET /openapi.json', '/openapi.json', 'req-bundle-test');
    // Also reports which AWS SDK modules the process loaded: the runtime's SDK is CommonJS, so each is in require.cache.
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
      const response = await handler(${JSON.stringify(event)}, {});
      const at = (path) => handler({ ...${JSON.stringify(event)}, rawPath: path, routeKey: 'GET ' + path, requestContext: { ...${JSON.stringify(event.requestContext)}, http: { ...${JSON.stringify(event.requestContext.http)}, path } } }, {});
      const health = await at('/health');
      const unknown = await at('/nothing-here');
      const { createRequire } = await import('node:module');
      const sdk = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('@aws-sdk'));
      process.stdout.write(JSON.stringify({ ...response, sdk, health, unknown }));`;
    const run = runInLambdaLikeProcess(script);
    expect(run.status, run.stderr).toBe(0);
    type Answer = { statusCode: number; body: string; headers: Record<string, string> };
    const response = JSON.parse(run.stdout) as Answer & { sdk: string[]; health: Answer; unknown: Answer };
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBe('req-bundle-test');
    expect([response.health.statusCode, JSON.parse(response.health.body)]).toEqual([200, { status: 'ok' }]);
    expect(response.unknown.statusCode).toBe(404);
    expect(response.unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    // The public function touches no AWS service: it loads no AWS client, at import or when serving.
    expect(response.sdk).toEqual([]);
    expect(JSON.parse(response.body)).toEqual(openApiDocument(allRouters()));
  }, 30_000);
});

describe('a table function’s bundle', () => {
  it('loads the AWS SDK on first use, not at import, and then works with the runtime’s copy', async () => {
    const outdir = join(OUT, 'TableStream');
    mkdirSync(outdir, { recursive: true });
    const spec = lambdaFunctions.find((f) => f.name === 'TableStream');
    if (!spec) throw new Error('the table-stream function is missing from the manifest');
    await build({ ...functionBuildOptions(spec, outdir), logLevel: 'silent' });
    const url = JSON.stringify(pathToFileURL(join(outdir, 'index.mjs')).href);
    // A stream record of an entity nothing derives from: unmarshalling it is the SDK's first use.
    const event = {
      Records: [
        { eventName: 'INSERT', dynamodb: { SequenceNumber: '1', NewImage: { entity: { S: 'NothingDerived' } } } },
      ],
    };
    const script = `const { createRequire } = await import('node:module');
      const sdk = () => Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('@aws-sdk')).map((p) => p.replace(/.*node_modules[\\/](@aws-sdk[\\/][^\\/]+).*/, '$1'));
      const { handler } = await import(${url});
      const atImport = [...new Set(sdk())];
      const answer = await handler(${JSON.stringify(event)}, {});
      process.stdout.write(JSON.stringify({ atImport, answer, afterUse: [...new Set(sdk())] }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        STAGE: 'bench',
        AUTH_MODE: 'cognito',
        COGNITO_USER_POOL_ID: 'eu-north-1_test',
        COGNITO_CLIENT_ID: 'test-client',
        AWS_REGION: 'eu-north-1',
        TABLE_NAME: 'e-team-test',
        LOG_LEVEL: 'SILENT',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { atImport: string[]; answer: unknown; afterUse: string[] };
    expect(result.atImport).toEqual([]);
    expect(result.answer).toEqual({ batchItemFailures: [] });
    expect(result.afterUse).toContain('@aws-sdk/util-dynamodb');
  }, 30_000);
});

describe('every function’s bundle', () => {
  it('stays under 500 KB and carries only the zod it uses, not zod’s whole namespace', async () => {
    const result = await build({
      ...lambdaEsbuildOptions,
      write: false,
      metafile: true,
      logLevel: 'silent',
      entryPoints: Object.fromEntries(lambdaFunctions.map((f) => [f.name, join(PROJECT_ROOT, f.entry)])),
      outdir: join(OUT, 'sizes'),
    });
    const sizes = Object.values(result.metafile.outputs)
      .filter((output) => output.entryPoint)
      .map((output) => {
        const zod = Object.entries(output.inputs)
          .filter(([input]) => /node_modules\/zod\//.test(input))
          .reduce((sum, [, info]) => sum + info.bytesInOutput, 0);
        return { entry: output.entryPoint, bytes: output.bytes, zodKb: Math.round(zod / 1024) };
      });
    expect(sizes.map((s) => s.entry).sort()).toEqual(lambdaFunctions.map((f) => f.entry).sort());
    for (const size of sizes) {
      expect(size.bytes, size.entry).toBeLessThan(MAX_BUNDLE_BYTES);
      // All of zod is ~188 KB minified: what `import { z }` anywhere (or an unpatched
      // `extendZodWithOpenApi(z)`, infra/bundling.ts `zodTreeShaken`) brings back.
      expect(size.zodKb, size.entry).toBeLessThan(130);
    }
  }, 60_000);
});

describe('an API part’s bundle', () => {
  it('carries the route table as a constant and no other part’s routes, and answers each route from its own group', async () => {
    const { outdir, result } = await buildFunction('Dispensers');
    const inputs = Object.keys(result.metafile.inputs);
    // The table replaced by its result (infra/bundling.ts `routeTableAtBuildTime`), which imports nothing: not the module that loads every part.
    expect(result.metafile.inputs['shared/app/route-table.ts']?.imports).toEqual([]);
    expect(inputs).not.toContain('shared/app/routers.ts');
    expect(
      inputs.filter((input) => /^shared\/(visits|citizens|assessment|reports|audit)\/routes\.ts$/.test(input)),
    ).toEqual([]);

    // GET /alerts?limit=0 is refused by the alerts group's validation, before any table access.
    const token = await signLocalToken(loadConfig({ STAGE: 'test' }), { sub: 'stf_a', roles: ['staff'], team: 'west' });
    const event = gatewayGet('GET /alerts', '/alerts', 'req-part-test', {
      rawQueryString: 'limit=0',
      headers: { authorization: `Bearer ${token}` },
    });
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(join(outdir, 'index.mjs')).href)});
      const event = ${JSON.stringify(event)};
      const answers = [];
      for (const routeKey of ['GET /alerts', 'GET /dispensers', '$default'])
        answers.push((await handler({ ...event, routeKey, requestContext: { ...event.requestContext, routeKey } }, {})).statusCode);
      process.stdout.write(JSON.stringify(answers));`;
    const run = runInLambdaLikeProcess(script);
    expect(run.status, run.stderr).toBe(0);
    // Its own group: 400. The dispensers group alone has no GET /alerts: 404. No known route: every group, 400.
    expect(JSON.parse(run.stdout)).toEqual([400, 404, 400]);
  }, 30_000);
});

describe('the libraries one route loads on first use', () => {
  it('work from the bundle: the pairing QR image and the calendar feed', async () => {
    const visit = {
      visitId: 'vis-1',
      citizenId: 'cit-1',
      start: '2026-11-24T09:00:00.000Z',
      end: '2026-11-24T09:30:00.000Z',
      updatedAt: '2026-11-20T08:00:00.000Z',
      version: 2,
      status: 'cancelled',
      purpose: { service: 'home-help' },
    };
    const run = await runBundledFixture(
      'lazy-libraries',
      (url) => `const { qrImage, calendarText } = await import(${url});
      const qr = await qrImage('https://web.example/pair#ABCD-1234');
      const ics = await calendarText([${JSON.stringify(visit)}], { staffId: 'stf-anna', domain: 'demo.e-team.example', baseUrl: 'https://api.example' });
      process.stdout.write(JSON.stringify({ qr: Buffer.from(qr.split(',')[1], 'base64').toString(), ics }));`,
    );
    expect(run.status, run.stderr).toBe(0);
    const { qr, ics } = JSON.parse(run.stdout) as { qr: string; ics: string };
    expect(qr).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(ics).toContain('BEGIN:VCALENDAR');
    expect(ics).toContain('UID:vis-1@demo.e-team.example');
    expect(ics).toContain('STATUS:CANCELLED');
    expect(ics).toContain('SEQUENCE:1');
  }, 30_000);
});

describe('a bundle’s stack traces', () => {
  it('name the TypeScript source, read from the map beside the bundle, without --enable-source-maps', async () => {
    const run = await runBundledFixture(
      'fails-inside',
      (url) => `const { failsInside } = await import(${url});
      try { failsInside(); } catch (error) { process.stdout.write(error.stack); }`,
    );
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('Error: thrown in the source');
    expect(lines[1]).toMatch(/^ {4}at deeper \(test\/infra\/fixtures\/fails-inside\.ts:9:9\)$/);
    // Called from outside the bundle, the name is the minified one (as with Node's own source maps); the place is the source's.
    expect(lines[2]).toMatch(/^ {4}at \S+ \(test\/infra\/fixtures\/fails-inside\.ts:5:10\)$/);
    // The frame outside the bundle (the script itself) prints as V8 prints it.
    expect(lines[3]).toMatch(/^ {4}at .*\[eval1\]/);
  }, 30_000);

  it('name the source inside a module the bundle evaluates on first import, whose wrapper was rewritten', async () => {
    const run = await runBundledFixture(
      'lazy-fails-inside',
      (url) => `const { readFileSync } = await import('node:fs');
      const code = readFileSync(new URL(${url}), 'utf8');
      const { failsInLazyModule } = await import(${url});
      try { await failsInLazyModule(); } catch (error) { process.stdout.write(JSON.stringify({ stack: error.stack, functions: code.match(/=[\\w$]+\\(function\\(\\)\\{/g)?.length ?? 0 })); }`,
    );
    expect(run.status, run.stderr).toBe(0);
    const { stack, functions } = JSON.parse(run.stdout) as { stack: string; functions: number };
    // Both modules' wrappers are functions now: the rewrite ran on this bundle.
    expect(functions).toBeGreaterThanOrEqual(2);
    const lines = stack.split('\n');
    expect(lines[0]).toBe('Error: lazily evaluated: thrown in a lazily imported module');
    expect(lines[1]).toMatch(/ \(test\/infra\/fixtures\/lazily-imported\.ts:4:9\)$/);
  }, 30_000);

  it('keep every frame, as V8 prints it, when the map beside the bundle does not fit it', async () => {
    const run = await runBundledFixture(
      'fails-inside',
      (url) => `const { writeFileSync } = await import('node:fs');
      writeFileSync(new URL(${url} + '.map'), JSON.stringify({ version: 3, sources: [], names: [], mappings: 'AAAA,CAAC,CAAC' }));
      const { failsInside } = await import(${url});
      try { failsInside(); } catch (error) { process.stdout.write(error.stack); }`,
    );
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('Error: thrown in the source');
    expect(lines[1]).toMatch(/^ {4}at \S+ \(file:\/\/.*index\.mjs:\d+:\d+\)$/);
    expect(lines.length).toBeGreaterThan(3);
  }, 30_000);

  it('are installed first by every Lambda entry, beside nothing that would set them again', () => {
    const entries = [...lambdaFunctions.map((f) => f.entry), 'functions/notifier/notifier.ts'];
    for (const entry of entries)
      expect(readFileSync(join(PROJECT_ROOT, entry), 'utf8').split('\n')[0], entry).toBe(
        "import '#shared/platform/bundle-source-maps.ts';",
      );
  });
});

describe('what each function may do', () => {
  /**
   * What a bundle calls, read from its code: outside services go through `Deps`
   * (docs/architecture.md), so a call is `<deps>.scheduler.scheduleOnce(`, `<deps>.meetings.createMeeting(`,
   * `<deps>.events.publish(`; the table goes through the document client's commands.
   */
  const uses = (code: string): Omit<FunctionAccess, 'appSecret'> => ({
    table:
      /\b(GetCommand|QueryCommand|PutCommand|UpdateCommand|DeleteCommand|TransactWriteCommand|TransactGetCommand|BatchGetCommand|BatchWriteCommand)\b/.test(
        code,
      )
        ? 'readWrite'
        : 'none',
    publishesEvents: /\.events\.publish\(/.test(code),
    schedules: /\.scheduler\.(scheduleOnce|cancel)\(/.test(code),
    meetings: /\.meetings\.(createMeeting|getMeeting|createAttendee|deleteMeeting)\(/.test(code),
  });

  it('is exactly what its code calls: no permission missing, none to spare', async () => {
    // Unminified so property names survive as written; not written to disk.
    const result = await build({
      ...lambdaEsbuildOptions,
      minify: false,
      sourcemap: false,
      write: false,
      logLevel: 'silent',
      entryPoints: Object.fromEntries(lambdaFunctions.map((f) => [f.name, join(PROJECT_ROOT, f.entry)])),
      outdir: join(OUT, 'analysis'),
    });
    const codeOf = (name: LambdaFunctionName) => {
      const output = result.outputFiles.find((o) => o.path.endsWith(`${name}.mjs`));
      if (!output) throw new Error(`no bundle for ${name}`);
      return output.text;
    };
    for (const { name } of lambdaFunctions) {
      const { appSecret, ...granted } = functionAccess[name];
      expect(uses(codeOf(name)), name).toEqual(granted);
      // The pepper is in the app secret: a function that hashes national ids must be able to read it.
      if (/\bhashNationalId\(/.test(codeOf(name))) expect(appSecret, `${name} hashes national ids`).toBe(true);
    }
    // The gap this guards against: planning visits from an approved final grant schedules reminders.
    expect(uses(codeOf('DomainEventConsumer')).schedules).toBe(true);
  }, 30_000);
});
