import { z } from '@hono/zod-openapi';

/**
 * Every domain event type the service publishes, with its zod schema and a sample. The JSON
 * Schemas in events/ are generated from here (`npm run events:schemas`), and a test fails when
 * a committed schema differs from its zod source or a sample does not parse.
 */
export interface EventDefinition {
  readonly description: string;
  readonly schema: z.ZodType;
  readonly sample: Record<string, unknown>;
}

export const eventCatalog: Record<string, EventDefinition> = {};

export function registerEventTypes(definitions: Record<string, EventDefinition>): void {
  for (const [type, definition] of Object.entries(definitions)) {
    if (eventCatalog[type]) throw new Error(`Event type ${type} registered twice`);
    eventCatalog[type] = definition;
  }
}

/** The JSON Schema (draft 2020-12) of an event's `detail`, as written to schemas/<type>.schema.json. */
export function jsonSchemaOf(type: string): Record<string, unknown> {
  const definition = eventCatalog[type];
  if (!definition) throw new Error(`Unknown event type ${type}`);
  return {
    ...z.toJSONSchema(definition.schema, { target: 'draft-2020-12', io: 'output' }),
    $id: `https://e-team.example/events/${type}.schema.json`,
    title: type,
    description: definition.description,
  };
}
