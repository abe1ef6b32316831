import { apiHandler } from '../../shared/http/lambda.ts';
import { allRouters } from '../../shared/http/routers.ts';

/**
 * /health, /openapi.json and /docs. It mounts every router so the document is complete, but
 * serves only the public paths (API Gateway sends it nothing else).
 */
export const handler = apiHandler(allRouters());
