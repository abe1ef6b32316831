import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { functionBuildOptions, MAX_BUNDLE_BYTES, PROJECT_ROOT } from '../../infra/bundling.ts';

const OUT = join(PROJECT_ROOT, 'node_modules', '.cache', 'e-team-notifier-bundle-test', String(process.pid));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('the notifier function’s bundle', () => {
  it('builds with the stack’s options, stays under the limit, and is the only bundle with web-push in it', async () => {
    mkdirSync(OUT, { recursive: true });
    const result = await build({
      ...functionBuildOptions({ entry: 'functions/notifier/notifier.ts' }, join(OUT, 'notifier')),
      logLevel: 'silent',
      metafile: true,
    });
    expect(statSync(join(OUT, 'notifier', 'index.mjs')).size).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(Object.keys(result.metafile.inputs).some((input) => input.includes('node_modules/web-push/'))).toBe(true);
    const other = await build({
      ...functionBuildOptions({ entry: 'functions/http/dispensers.ts' }, join(OUT, 'dispensers')),
      logLevel: 'silent',
      metafile: true,
    });
    expect(Object.keys(other.metafile.inputs).some((input) => input.includes('node_modules/web-push/'))).toBe(false);
    expect(readFileSync(join(OUT, 'dispensers', 'index.mjs'), 'utf8')).not.toContain('SendTextMessage');
  }, 60_000);
});
