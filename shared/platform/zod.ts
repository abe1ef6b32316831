/**
 * zod, as every module in shared/ and functions/ imports it: `import * as z from '#shared/platform/zod.ts'`.
 *
 * Two reasons for this one door:
 * - `.openapi()` on a schema exists only once `@hono/zod-openapi` has run (it calls zod-to-openapi's
 *   `extendZodWithOpenApi` on import). A model module evaluated before any route module would
 *   otherwise meet a schema without it; importing zod from here orders that for every module.
 * - A namespace import (`import * as z`) lets esbuild keep only the parts of zod a Lambda uses.
 *   `import { z } from 'zod'` (or from `@hono/zod-openapi`) hands over zod's whole namespace object,
 *   which keeps all of it: 188 KB against ~100 KB of every bundle, about 8 ms of each cold start.
 *   The bundles also patch `@hono/zod-openapi`'s own use of that object (infra/bundling.ts
 *   `zodTreeShaken`); ESLint refuses the other two imports in shared/ and functions/.
 */
import '@hono/zod-openapi';

export * from 'zod';
