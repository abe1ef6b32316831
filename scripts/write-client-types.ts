import { writeFileSync } from 'node:fs';
import { CLIENT_TYPES_FILE, generateClientTypes } from './client-types.ts';

/** `npm run contract:client`: regenerates the typed client's types from the OpenAPI document. */
writeFileSync(CLIENT_TYPES_FILE, await generateClientTypes());
console.log(CLIENT_TYPES_FILE);
