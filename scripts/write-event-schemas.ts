import { mkdirSync, writeFileSync } from 'node:fs';
import { eventCatalog, jsonSchemaOf } from '#shared/app/event-catalog.ts';

/** `npm run events:schemas`: regenerates schemas/<Type>.schema.json and schemas/samples/<Type>.json from the catalog. */
mkdirSync('schemas/samples', { recursive: true });
for (const [type, definition] of Object.entries(eventCatalog)) {
  writeFileSync(`schemas/${type}.schema.json`, `${JSON.stringify(jsonSchemaOf(type), null, 2)}\n`);
  writeFileSync(`schemas/samples/${type}.json`, `${JSON.stringify(definition.sample, null, 2)}\n`);
  console.log(`schemas/${type}.schema.json`);
}
