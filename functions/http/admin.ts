import { apiHandler } from '#shared/http/lambda.ts';
import { adminRouters } from '#shared/http/parts/admin.ts';

export const handler = apiHandler(adminRouters());
