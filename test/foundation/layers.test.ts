import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers (docs/architecture.md) beyond what `npm run lint` checks with dependency-cruiser:
 * the temporary list of known violations only shrinks, no two layers use one file name, and no
 * comment points at an issue tracker the repository does not carry.
 */
const known = createRequire(import.meta.url)('../../.dependency-cruiser-known-violations.cjs') as Record<
  string,
  string[]
>;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).split('\\').join('/'));
}

/** The layer of a run-time source file, top to bottom. */
function layerOf(file: string): string {
  const folder = file.split('/')[1] ?? '';
  if (folder === 'app') return 'composition root';
  if (['http', 'domain-events', 'jobs'].includes(folder)) return 'framework';
  if (folder === 'platform' || folder === 'table') return folder;
  return 'capabilities';
}

describe('the layers', () => {
  it('lists as known violations only imports that still break their rule', () => {
    const output = execFileSync(
      'npx',
      ['depcruise', 'shared', 'functions', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
      { encoding: 'utf8', env: { ...process.env, LAYERS_WITHOUT_KNOWN_VIOLATIONS: '1' }, maxBuffer: 64 * 1024 * 1024 },
    );
    const violations = (JSON.parse(output) as { summary: { violations: { from: string; rule: { name: string } }[] } })
      .summary.violations;
    const violating = new Set(violations.map((v) => `${v.rule.name}: ${v.from}`));
    const listed = Object.entries(known)
      .filter(([rule]) => rule !== 'same-name-in-two-layers')
      .flatMap(([rule, files]) => files.map((file) => `${rule}: ${file}`));
    // Fixed: remove it from .dependency-cruiser-known-violations.cjs.
    expect(listed.filter((entry) => !violating.has(entry))).toEqual([]);
    // New: fix the import (npm run lint names it), never add it to the list.
    expect([...violating].filter((entry) => !listed.includes(entry))).toEqual([]);
  }, 60_000);

  // Entry points in functions/ are named after the API part, job or stream they serve (functions/http/visits.ts
  // serves the visits part), so the rule is for the layers of shared/.
  it('uses a file name in one layer of shared/ only', () => {
    const sources = filesUnder('shared').filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
    const layersOf = new Map<string, Set<string>>();
    for (const file of sources) {
      const name = basename(file);
      // store.ts: the table's generic store (shared/table/) and each capability's repository share one role.
      if (name === 'store.ts' && file.startsWith('shared/')) continue;
      layersOf.set(name, (layersOf.get(name) ?? new Set()).add(`${layerOf(file)} (${file})`));
    }
    const clashes = [...layersOf]
      .filter(([, where]) => new Set([...where].map((w) => w.split(' (')[0])).size > 1)
      .filter(([name]) => !known['same-name-in-two-layers']?.includes(name))
      .map(([name, where]) => `${name}: ${[...where].join(', ')}`);
    expect(clashes).toEqual([]);
    // A name listed as known that no longer clashes is removed from the list.
    const stillClashing = (name: string) =>
      new Set([...(layersOf.get(name) ?? [])].map((w) => w.split(' (')[0])).size > 1;
    expect((known['same-name-in-two-layers'] ?? []).filter((name) => !stillClashing(name))).toEqual([]);
  });

  it('has no comment that cites an issue number', () => {
    const sources = ['shared', 'functions', 'scripts', 'bench', 'infra', 'test', 'web']
      .flatMap(filesUnder)
      .filter((file) => /\.(ts|tsx|mjs|js|cjs|css|html)$/.test(file) && !file.startsWith('test/contract/generated/'));
    const citing = /\bissues?\s*#?\s*\d+|(^|[\s(])#\d+\b/i;
    const offending: string[] = [];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const comment of text.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\/|<!--[\s\S]*?-->/g) ?? [])
        if (citing.test(comment)) offending.push(`${file}: ${comment.trim().slice(0, 120)}`);
    }
    expect(offending).toEqual([]);
  });
});
