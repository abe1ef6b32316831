import * as z from '#shared/platform/zod.ts';

/**
 * Every domain event type the service publishes, with its zod schema and a sample. The JSON
 * Schemas in events/ are generated from here (`npm run events:schemas`), and a test fails when
 * a committed schema differs from its zod source or a sample does not parse. Capabilities export
 * theirs (`<capability>/event-types.ts`); `shared/app/event-registry.ts` lists them.
 */
export interface EventDefinition {
  readonly description: string;
  readonly schema: z.ZodType;
  readonly sample: Record<string, unknown>;
}

export type EventCatalog = Readonly<Record<string, EventDefinition>>;

/** One catalog of the capabilities' event types; a type defined twice is caught when it is built. */
export function catalogOf(...parts: readonly EventCatalog[]): EventCatalog {
  const all: Record<string, EventDefinition> = {};
  for (const part of parts)
    for (const [type, definition] of Object.entries(part)) {
      if (all[type]) throw new Error(`Event type ${type} registered twice`);
      all[type] = definition;
    }
  return all;
}

/** The JSON Schema (draft 2020-12) of an event's `detail`, as written to schemas/<type>.schema.json. */
export function jsonSchemaIn(catalog: EventCatalog, type: string): Record<string, unknown> {
  const definition = catalog[type];
  if (!definition) throw new Error(`Unknown event type ${type}`);
  return {
    ...z.toJSONSchema(definition.schema, { target: 'draft-2020-12', io: 'output' }),
    $id: `https://e-team.example/events/${type}.schema.json`,
    title: type,
    description: definition.description,
  };
}
