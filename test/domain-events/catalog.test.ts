import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventCatalog, jsonSchemaOf } from '#shared/app/event-catalog.ts';

const types = Object.keys(eventCatalog).sort();

describe('the domain event catalog', () => {
  it('has event types', () => {
    expect(types.length).toBeGreaterThan(0);
  });

  it.each(types)('%s: events/ holds its JSON Schema as generated from zod (run npm run events:schemas)', (type) => {
    const file = `schemas/${type}.schema.json`;
    expect(existsSync(file), `${file} is missing`).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(jsonSchemaOf(type));
  });

  it.each(types)('%s: its sample parses with its schema', (type) => {
    const definition = eventCatalog[type];
    const file = `schemas/samples/${type}.json`;
    expect(existsSync(file), `${file} is missing`).toBe(true);
    const sample = JSON.parse(readFileSync(file, 'utf8'));
    expect(sample).toEqual(definition?.sample);
    expect(definition?.schema.safeParse(sample).success).toBe(true);
  });
});
