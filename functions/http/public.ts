import { apiHandler } from '../../shared/http/lambda.ts';
import { publishedOpenApiDocument } from '../../shared/http/published-document.ts';

/**
 * /health, /openapi.json and /docs (API Gateway sends it nothing else). It mounts no router: the
 * document describing them all is generated when the function is bundled (infra/bundling.ts).
 */
export const handler = apiHandler([], { document: publishedOpenApiDocument() });
