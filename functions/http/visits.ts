import { apiHandler } from '../../shared/http/lambda.ts';
import { visitsRouters } from '../../shared/http/parts/visits.ts';

export const handler = apiHandler(visitsRouters());
