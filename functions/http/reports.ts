import { apiHandler } from '#shared/http/lambda.ts';
import { reportsRouters } from '#shared/http/parts/reports.ts';

export const handler = apiHandler(reportsRouters());
