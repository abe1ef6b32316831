import { apiHandler } from '#shared/app/lambda.ts';
import { reportsRouters } from '#shared/app/parts/reports.ts';

export const handler = apiHandler(reportsRouters());
