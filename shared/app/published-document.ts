import { openApiDocument } from '#shared/http/app.ts';
import { allRouters } from './routers.ts';

/**
 * The document the public Lambda serves at `/openapi.json`: every part's routes.
 *
 * Run as written, it mounts every router. Bundling replaces this module by its result
 * (`openApiDocumentAtBuildTime` in infra/bundling.ts), so the public function carries the document
 * as a constant instead of every capability's code. Keep the export's name and shape: the
 * replacement is `export const publishedOpenApiDocument = () => (<the document>)`.
 */
export function publishedOpenApiDocument(): object {
  return openApiDocument(allRouters());
}
