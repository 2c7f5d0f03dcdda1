// The routes of the real app, as the OpenAPI document lists them and as Fastify has them, for the tests
// that go over every route (security.routes, hostile.input): a route added later is covered, or fails them.
import type { App } from './harness.js';

/** A JSON Schema as the OpenAPI document carries it. */
export type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  patternProperties?: Record<string, JsonSchema>;
  $ref?: string;
};

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** Fastify's form, /api/v1/outlets/:id. */
  url: string;
  /** "GET /api/v1/outlets/:id": how the tests name a route. */
  name: string;
  security: Array<Record<string, unknown>> | undefined;
  parameters: Parameter[];
  /** Content type → schema of the request body, when it takes one. */
  body: Record<string, JsonSchema> | null;
}

/** Every operation of the app's OpenAPI document (app.swagger()). */
export async function openApiOperations(app: App): Promise<Operation[]> {
  await app.ready();
  const document = app.swagger() as unknown as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const url = path.replace(/\{([^}]+)\}/g, ':$1');
      const content = (operation.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content;
      operations.push({
        method: method.toUpperCase(),
        url,
        name: `${method.toUpperCase()} ${url}`,
        security: operation.security as Operation['security'],
        parameters: (operation.parameters as Parameter[] | undefined) ?? [],
        body: content ? Object.fromEntries(Object.entries(content).map(([type, { schema }]) => [type, schema])) : null,
      });
    }
  }
  return operations.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Every route Fastify serves (HEAD routes left out), read from app.printRoutes(): this includes the routes
 * the OpenAPI document hides (the WebSocket, /metrics, the files of the dashboard and of /docs).
 */
export async function registeredRoutes(app: App): Promise<string[]> {
  await app.ready();
  const tree = app.printRoutes({ commonPrefix: false });
  const byDepth: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[└├]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line.replace(/\s+$/, ''));
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (depth === 0 ? '' : byDepth[depth - 1]!) + match[2]!;
    byDepth[depth] = path;
    byDepth.length = depth + 1;
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push(`${method} ${path}`);
  }
  return [...new Set(routes)].sort();
}

/** A schema's $ref to a shared schema, resolved against the OpenAPI document's components. */
export function resolve(app: App, schema: JsonSchema): JsonSchema {
  if (typeof schema.$ref !== 'string') return schema;
  const name = schema.$ref.split('/').at(-1)!;
  const document = app.swagger() as unknown as { components?: { schemas?: Record<string, JsonSchema> } };
  return document.components?.schemas?.[name] ?? schema;
}
