import { apiHandler } from '#shared/http/lambda.ts';
import { careRouters } from '#shared/http/parts/care.ts';

export const handler = apiHandler(careRouters());
