import '#shared/platform/bundle-source-maps.ts';
import { handle } from 'hono/aws-lambda';
import { createPublicApp } from '#shared/http/public-app.ts';
import { publishedOpenApiDocument } from '#shared/app/published-document.ts';

/**
 * /health, /openapi.json and /docs (API Gateway sends it nothing else). It mounts no router and
 * needs no deps: the document describing them all is generated when the function is bundled
 * (infra/bundling.ts), and no AWS client is created.
 */
export const handler = handle(createPublicApp(publishedOpenApiDocument()));
