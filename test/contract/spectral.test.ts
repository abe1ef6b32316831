import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.ts';

/**
 * Spectral's OpenAPI rules and the OWASP API Security ruleset over the document the app serves,
 * with the project's ruleset file (.spectral.yaml): no errors allowed.
 */
const dir = mkdtempSync(join(tmpdir(), 'e-team-spectral-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Finding {
  code: string;
  severity: number;
  message: string;
  path: string[];
}

describe('the served OpenAPI document under Spectral (spectral:oas + OWASP)', () => {
  it('has no errors', async () => {
    const t = await createTestApp();
    const file = join(dir, 'openapi.json');
    writeFileSync(file, (await t.call('GET', '/openapi.json')).text);
    const spectral = resolve('node_modules/.bin/spectral');
    // Spectral exits 1 when it finds errors; the findings are on stdout either way.
    const output = await promisify(execFile)(
      spectral,
      ['lint', '--ruleset', resolve('.spectral.yaml'), '--format', 'json', '--quiet', file],
      { maxBuffer: 64 * 1024 * 1024 },
    ).then(
      (r) => r.stdout,
      (error: { stdout?: string; stderr?: string }) => {
        if (!error.stdout) throw new Error(`spectral failed: ${error.stderr ?? String(error)}`);
        return error.stdout;
      },
    );
    const findings = JSON.parse(output || '[]') as Finding[];
    const errors = findings
      .filter((f) => f.severity === 0)
      .map((f) => `${f.code} at ${f.path.join('.')}: ${f.message}`);
    expect(errors).toEqual([]);
  }, 60_000);
});
