/**
 * What every operation of the document has in common, added once to the generated document so a
 * route declares only what is particular to it (its `operationId`, `summary`, `x-roles`, its
 * schemas and any extra status such as 409 or 502). A new route gets the standard error
 * responses, the roles line of its description and the response bounds the day it is added.
 */
type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId?: string;
  description?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: Json;
  responses: Record<string, Json>;
  security?: Record<string, string[]>[];
  'x-roles'?: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const PROBLEM = 'application/problem+json';
const problemRef = { $ref: '#/components/schemas/Problem' };

/** The callers an `x-roles` entry can name besides the user roles: a dispenser with its own credential. */
export const DEVICE_ROLE = 'device';

/**
 * Bounds of what the API sends back, where a response schema does not say more. Every string the
 * API returns is an id, a timestamp, an enum or text that came in through a request capped at
 * 4000 characters or less; counts and minutes fit in 32 bits; a list is a page (at most 200) or a
 * bounded collection (doses of 92 days, a week's occurrences), far below 10 000.
 */
export const RESPONSE_BOUNDS = {
  maxLength: 4000,
  maxItems: 10_000,
  minimum: -2_147_483_648,
  maximum: 2_147_483_647,
} as const;

const WWW_AUTHENTICATE = {
  'WWW-Authenticate': {
    description:
      'RFC 6750: `Bearer realm="e-team"`, with `error="invalid_token"` when a token was sent but is invalid or expired',
    schema: { type: 'string', maxLength: 200, example: 'Bearer realm="e-team", error="invalid_token"' },
  },
};

const RETRY_AFTER = {
  'Retry-After': {
    description:
      'Seconds to wait before retrying (set by the app when the table is throttling; API Gateway’s own throttle does not send it)',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 3600 },
  },
};

const STANDARD: Record<string, { description: string; headers?: Json; content?: Json }> = {
  '400': { description: 'Invalid input; `errors` lists the fields at fault' },
  '401': { description: 'No, bad or expired credential', headers: WWW_AUTHENTICATE },
  '403': { description: 'The caller’s role may not do this' },
  '404': { description: 'Unknown, or not visible to this caller' },
  '413': { description: 'The body is too large' },
  '415': { description: 'The body is not application/json' },
  '429': {
    description:
      'Too many requests: API Gateway’s throttle (body `{"message":"Too Many Requests"}`), or the app when the table is throttling (problem+json with Retry-After)',
    headers: RETRY_AFTER,
    content: {
      [PROBLEM]: { schema: problemRef },
      'application/json': {
        schema: {
          type: 'object',
          properties: { message: { type: 'string', maxLength: 100, example: 'Too Many Requests' } },
          required: ['message'],
        },
      },
    },
  },
  '500': { description: 'Something went wrong on our side; `requestId` identifies it in the logs' },
};

/** The statuses every operation of this kind can answer, besides those it declares itself. */
function standardStatuses(path: string, op: Operation): string[] {
  const secured = (op.security ?? []).some((s) => Object.keys(s).length > 0);
  const hasInput = (op.parameters?.length ?? 0) > 0 || op.requestBody !== undefined;
  const statuses: string[] = [];
  if (hasInput) statuses.push('400');
  if (secured) statuses.push('401');
  if ((op['x-roles']?.length ?? 0) > 0) statuses.push('403');
  if (path.includes('{')) statuses.push('404');
  if (op.requestBody) statuses.push('413', '415');
  statuses.push('429', '500');
  return statuses;
}

function rolesLine(op: Operation): string {
  const roles = op['x-roles'] ?? [];
  if (roles.length === 0) return 'Roles: none; no credential needed.';
  if (roles.length === 1 && roles[0] === DEVICE_ROLE)
    return 'Roles: a dispenser, with its own device credential (no user role may call this).';
  return `Roles: ${roles.map((r) => `\`${r}\``).join(', ')} (any other role gets 403).`;
}

function addStandardResponses(path: string, op: Operation): void {
  for (const status of standardStatuses(path, op)) {
    const standard = STANDARD[status];
    if (!standard) continue;
    const existing = op.responses[status];
    if (existing) {
      if (standard.headers) existing.headers = { ...standard.headers, ...(existing.headers as Json | undefined) };
      continue;
    }
    op.responses[status] = {
      description: standard.description,
      ...(standard.headers ? { headers: standard.headers } : {}),
      content: standard.content ?? { [PROBLEM]: { schema: problemRef } },
    };
  }
  // Sort statuses so the document reads in order whatever the route listed first.
  op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every `$ref`'d component name reachable from a value. */
function refsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, found);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/'))
        found.add(v.slice('#/components/schemas/'.length));
      else refsIn(v, found);
    }
  }
  return found;
}

function closure(names: Set<string>, schemas: Record<string, unknown>): Set<string> {
  const all = new Set(names);
  const queue = [...names];
  while (queue.length > 0) {
    for (const ref of refsIn(schemas[queue.pop() as string])) {
      if (all.has(ref)) continue;
      all.add(ref);
      queue.push(ref);
    }
  }
  return all;
}

const isType = (schema: Json, type: string) =>
  schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type));

/**
 * Fill the bounds of a schema the API only ever sends (never accepts): request schemas carry the
 * limits zod enforces and are left alone, so a missing request limit stays visible to the lint.
 */
function bound(schema: unknown): void {
  if (Array.isArray(schema)) return schema.forEach(bound);
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Json;
  if (isType(s, 'string') && s.maxLength === undefined && s.enum === undefined && s.const === undefined)
    s.maxLength = RESPONSE_BOUNDS.maxLength;
  if (isType(s, 'array') && s.maxItems === undefined) s.maxItems = RESPONSE_BOUNDS.maxItems;
  if (isType(s, 'integer')) {
    if (s.minimum === undefined && s.exclusiveMinimum === undefined) s.minimum = RESPONSE_BOUNDS.minimum;
    if (s.maximum === undefined && s.exclusiveMaximum === undefined) s.maximum = RESPONSE_BOUNDS.maximum;
  }
  for (const [k, v] of Object.entries(s)) if (k !== 'example' && k !== 'examples' && k !== 'default') bound(v);
}

const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };

/** `format: int32` or `int64` on every integer, from the bounds zod enforces (or the response bounds). */
function integerFormats(schema: unknown): void {
  if (Array.isArray(schema)) return schema.forEach(integerFormats);
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Json;
  if (isType(s, 'integer') && s.format === undefined) {
    const low = (s.minimum ?? s.exclusiveMinimum) as number | undefined;
    const high = (s.maximum ?? s.exclusiveMaximum) as number | undefined;
    s.format = low !== undefined && high !== undefined && low >= INT32.min && high <= INT32.max ? 'int32' : 'int64';
  }
  for (const [k, v] of Object.entries(s)) if (k !== 'example' && k !== 'examples' && k !== 'default') integerFormats(v);
}

/**
 * A request field with a default may be left out, but the generator lists it as required (it
 * describes zod's output); a client generated from that would have to send it.
 */
function defaultsOptional(schema: unknown): void {
  if (Array.isArray(schema)) return schema.forEach(defaultsOptional);
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Json;
  const properties = s.properties as Record<string, Json> | undefined;
  if (properties && Array.isArray(s.required)) {
    s.required = s.required.filter((name: string) => properties[name]?.default === undefined);
    if ((s.required as string[]).length === 0) delete s.required;
  }
  for (const [k, v] of Object.entries(s))
    if (k !== 'example' && k !== 'examples' && k !== 'default') defaultsOptional(v);
}

const TAGS: Record<string, string> = {
  platform: 'Liveness and the document itself',
  citizens: 'Citizens of the caller’s team',
  assessment: 'The digital-readiness questionnaire and assessments',
  conversion: 'Grants, conversions to digital delivery and final grants',
  visits: 'Availability, screen visits, video sessions and calendars',
  alerts: 'Alerts from dispensers and visits',
  dispensers: 'Dispenser registry, assignments, dose plans and adherence',
  devices: 'What dispensers post, with their own credential',
  reports: 'Evaluation figures',
  audit: 'Who read or changed a citizen’s data',
};

/** The served document: the generated one with what every operation shares added. */
export function completeDocument<T extends object>(generated: T): T {
  const doc = structuredClone(generated) as Json & {
    paths: Record<string, Record<string, Operation>>;
    components: Json & { schemas: Record<string, unknown> };
  };
  const requestSide = new Set<string>();
  const responseSide = new Set<string>();
  const usedTags = new Set<string>();

  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      addStandardResponses(path, op);
      const line = rolesLine(op);
      op.description = op.description ? `${op.description}\n\n${line}` : line;
      for (const tag of (op.tags as string[] | undefined) ?? []) usedTags.add(tag);
      refsIn([op.parameters, op.requestBody], requestSide);
      defaultsOptional(op.requestBody);
      refsIn(op.responses, responseSide);
      for (const response of Object.values(op.responses))
        for (const media of Object.values((response.content as Record<string, Json> | undefined) ?? {}))
          bound(media.schema);
      for (const header of Object.values(op.responses).flatMap((r) =>
        Object.values((r.headers as Record<string, Json> | undefined) ?? {}),
      ))
        bound(header.schema);
    }
  }

  const schemas = doc.components.schemas;
  const requests = closure(requestSide, schemas);
  for (const name of closure(responseSide, schemas)) if (!requests.has(name)) bound(schemas[name]);
  for (const name of requests) defaultsOptional(schemas[name]);

  integerFormats([doc.paths, schemas]);

  doc.tags = [...usedTags].sort().map((name) => ({ name, description: TAGS[name] ?? name }));
  return doc as T;
}
