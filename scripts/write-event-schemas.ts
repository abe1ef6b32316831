import { mkdirSync, writeFileSync } from 'node:fs';
import { eventCatalog, jsonSchemaOf } from '#shared/events/all.ts';

/** `npm run events:schemas`: regenerates events/<Type>.schema.json and events/samples/<Type>.json from the catalog. */
mkdirSync('events/samples', { recursive: true });
for (const [type, definition] of Object.entries(eventCatalog)) {
  writeFileSync(`events/${type}.schema.json`, `${JSON.stringify(jsonSchemaOf(type), null, 2)}\n`);
  writeFileSync(`events/samples/${type}.json`, `${JSON.stringify(definition.sample, null, 2)}\n`);
  console.log(`events/${type}.schema.json`);
}
