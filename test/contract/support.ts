import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * Helpers to read the served OpenAPI document: its operations, and a JSON Schema validator that
 * resolves the document's `$ref`s and knows the OpenAPI integer formats.
 */
export interface Operation {
  method: string;
  path: string;
  op: {
    operationId?: string;
    summary?: string;
    description?: string;
    security?: Record<string, string[]>[];
    parameters?: { name: string; in: string; required?: boolean; schema: Record<string, unknown> }[];
    requestBody?: {
      required?: boolean;
      content: Record<string, { schema: Record<string, unknown>; example?: unknown }>;
    };
    responses: Record<
      string,
      {
        description: string;
        headers?: Record<string, unknown>;
        content?: Record<string, { schema: Record<string, unknown> }>;
      }
    >;
    'x-roles'?: string[];
  };
}

export type OpenApiDocument = {
  paths: Record<string, Record<string, Operation['op']>>;
  components: { schemas: Record<string, Record<string, unknown>> };
} & Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** Validates a value against a schema of the document (with its `$ref`s to components). */
export function schemaValidator(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addSchema({ $id: 'https://e-team.example/openapi.json', components: doc.components });
  const compiled = new Map<unknown, ReturnType<typeof ajv.compile>>();
  return (schema: Record<string, unknown>, value: unknown): string[] => {
    let validate = compiled.get(schema);
    if (!validate) {
      const rewritten = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/', '"https://e-team.example/openapi.json#/components/'),
      ) as Record<string, unknown>;
      validate = ajv.compile(rewritten);
      compiled.set(schema, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };
}

/** A value for a path parameter: the example the document gives for it. */
export function exampleFor(param: { name: string; schema: Record<string, unknown> }): string {
  const example = param.schema.example;
  if (example === undefined) throw new Error(`path parameter ${param.name} has no example in the document`);
  return String(example);
}

export function pathWithExamples(operation: Operation): string {
  const params = operation.op.parameters ?? [];
  return operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const param = params.find((p) => p.in === 'path' && p.name === name);
    if (!param) throw new Error(`${operation.method} ${operation.path}: no parameter ${name}`);
    return encodeURIComponent(exampleFor(param));
  });
}
