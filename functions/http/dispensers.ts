import { apiHandler } from '#shared/http/lambda.ts';
import { dispensersRouters } from '#shared/http/parts/dispensers.ts';

export const handler = apiHandler(dispensersRouters());
