import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { publishedOpenApiDocument } from '#shared/app/published-document.ts';

/**
 * The TypeScript types of the API, generated from the OpenAPI document with openapi-typescript,
 * for a typed `openapi-fetch` client. The contract test regenerates them and compares, so the
 * committed file is always what the served document says.
 */
export const CLIENT_TYPES_FILE = 'test/contract/generated/openapi.ts';

export async function generateClientTypes(document: object = publishedOpenApiDocument()): Promise<string> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], {
    exportType: false,
    alphabetize: true,
    defaultNonNullable: false,
  });
  return `${COMMENT_HEADER}${astToString(ast)}`;
}
