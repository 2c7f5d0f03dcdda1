import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TObject } from '@sinclair/typebox';
import { COLLECTION_NAMES, COLLECTIONS, Id, compileValidator, type CollectionBody, type CollectionName } from '@servicetower/domain';
import { inTransaction } from '@servicetower/workers';
import { csvItems, type BodyItem } from '../../../ingest/bodies.js';
import { HttpError } from '../../../plugins/app/errors.js';
import type { Principal } from '../../../auth/principal.js';
import { getReference, listReference } from '../../../repositories/reference.js';
import { applyReference, ReferenceRejection } from '../../../reference/service.js';
import { errorResponses, FieldErrorSchema } from '../../../schemas.js';

const LIST_LIMIT = { default: 1000, max: 10_000 };

/** Reference data: PUT /<collection>/:id upserts, GET lists and gets, POST /import/<collection> takes CSV. */
const reference: FastifyPluginAsyncTypebox = async (app) => {
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  for (const collection of COLLECTION_NAMES) {
    const { schema, idName, noun } = COLLECTIONS[collection];
    const Item = Type.Unsafe<Record<string, unknown>>(Type.Composite([Type.Object({ [idName]: Type.String() }), withNullableOptionals(schema)]));
    const Params = Type.Object({ id: Id });
    const tags = ['reference'];

    app.put(
      `/${collection}/:id`,
      {
        preParsing: app.requireScope('reference'),
        schema: {
          tags,
          summary: `Create or replace a ${noun}`,
          security: [{ apiKey: [] }],
          params: Params,
          body: schema,
          response: { 200: Item, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (request) => {
        await upsert(request.principal!, collection, request.params.id, request.body as CollectionBody[typeof collection]);
        app.references.invalidate();
        return (await getReference(app.db, collection, request.params.id, null))!;
      },
    );

    app.get(
      `/${collection}/:id`,
      {
        preParsing: app.requireScope('reference', 'read'),
        schema: { tags, summary: `Get a ${noun}`, security: [{ apiKey: [] }], params: Params, response: { 200: Item, ...errorResponses(400, 401, 403, 404) } },
      },
      async (request) => {
        const item = await getReference(app.db, collection, request.params.id, request.principal!.regions);
        if (!item) throw app.httpErrors.notFound(`No ${noun} "${request.params.id}" (within this API key's regions).`);
        return item;
      },
    );

    // The devices list carries each device's health: routes/api/v1/fleet.ts.
    if (collection !== 'devices') app.get(
      `/${collection}`,
      {
        preParsing: app.requireScope('reference', 'read'),
        schema: {
          tags,
          summary: `List ${noun}s in id order`,
          security: [{ apiKey: [] }],
          querystring: Type.Object({
            limit: Type.Integer({ minimum: 1, maximum: LIST_LIMIT.max, default: LIST_LIMIT.default }),
            after: Type.Optional(Type.String({ description: 'the `next` of the previous page' })),
          }),
          response: { 200: Type.Object({ items: Type.Array(Item), next: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => {
        const { limit, after } = request.query;
        const items = await listReference(app.db, collection, { regions: request.principal!.regions, limit, after: after ?? null });
        const last = items.length === limit ? items.at(-1) : undefined;
        return { items, next: last ? String(last[idName]) : null };
      },
    );

    app.post(
      `/import/${collection}`,
      {
        preParsing: app.requireScope('reference'),
        schema: {
          tags,
          summary: `Import ${noun}s from CSV`,
          description:
            collection === 'device-models'
              ? 'Header row id,name,sensor,unit,min,max: one row per sensor; rows with the same id make one model.'
              : `Header row ${idName},${Object.keys(schema.properties).join(',')}; empty cells are left out.`,
          security: [{ apiKey: [] }],
          body: { content: { 'text/csv': { schema: Type.String() } } },
          response: {
            200: Type.Object({
              imported: Type.Integer(),
              rejected: Type.Array(Type.Object({ index: Type.Integer(), line: Type.Optional(Type.Integer()), errors: Type.Array(FieldErrorSchema) })),
            }),
            ...errorResponses(400, 401, 403, 413, 415),
          },
        },
        validatorCompiler: () => () => true,
      },
      async (request) => {
        // Any other body (JSON, or none) was read by another parser: csvItems would fail on it with a 500.
        if (typeof (request.body as Readable | undefined)?.pipe !== 'function') {
          throw app.httpErrors.unsupportedMediaType(`Send the ${noun}s as CSV with Content-Type: text/csv (a header row, then one row per ${noun}).`);
        }
        const limits = { maxBytes: app.config.INGEST_JSON_LIMIT_BYTES, maxLineBytes: 1024 * 1024 };
        const rowSchema = csvRowSchema(collection, idName, schema);
        const rows: BodyItem[] = [];
        for await (const item of csvItems(request.body as Readable, rowSchema, limits)) rows.push(item);
        const result = await importRows(request.principal!, collection, idName, rows);
        app.references.invalidate();
        return result;
      },
    );
  }

  async function upsert<C extends CollectionName>(principal: Principal, collection: C, id: string, body: CollectionBody[C]) {
    try {
      await inTransaction(app.db, (client) => applyReference(client, principal, collection, id, body).catch(storageRejection));
    } catch (error) {
      if (error instanceof ReferenceRejection) throw rejectionError(error);
      throw error;
    }
  }

  /** Each row is validated and upserted on its own (a savepoint each), so one bad row does not sink the file. */
  async function importRows(principal: Principal, collection: CollectionName, idName: string, rows: BodyItem[]) {
    const { schema } = COLLECTIONS[collection];
    const validator = compileValidator<CollectionBody[CollectionName]>(schema);
    const rejected: Array<{ index: number; line?: number; errors: Array<{ path: string; message: string }> }> = [];
    const records = collection === 'device-models' ? groupSensorRows(rows) : rows;
    let imported = 0;
    await inTransaction(app.db, async (client) => {
      for (const item of records) {
        const where = { index: item.index, ...(item.line ? { line: item.line } : {}) };
        if ('error' in item) {
          rejected.push({ ...where, errors: [item.error] });
          continue;
        }
        const { [idName]: id, ...body } = item.raw as Record<string, unknown>;
        const idErrors = compileValidator(Id).errors(id).map((e) => ({ path: `/${idName}${e.path}`, message: e.message }));
        if (idErrors.length > 0 || !validator.check(body)) {
          rejected.push({ ...where, errors: [...idErrors, ...validator.errors(body)] });
          continue;
        }
        await client.query('SAVEPOINT row');
        try {
          await applyReference(client, principal, collection, String(id), body).catch(storageRejection);
          await client.query('RELEASE SAVEPOINT row');
          imported += 1;
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT row');
          if (!(error instanceof ReferenceRejection)) throw error;
          rejected.push({ ...where, errors: error.errors });
        }
      }
    });
    return { imported, rejected };
  }
};

/**
 * A value the schema allows but its column cannot keep, as a 422 naming the field: a part's targetDays of
 * 0.001 passes the schema (above 0) but is kept to the hundredth, and 0.00 breaks part_target_days_check
 * (PostgreSQL check_violation, 23514; numeric_value_out_of_range, 22003). Anything else is rethrown.
 */
function storageRejection(error: unknown): never {
  const { code, constraint, table } = error as { code?: string; constraint?: string; table?: string };
  if (code !== '23514' && code !== '22003') throw error;
  const column = constraint && table && constraint.startsWith(`${table}_`) ? constraint.slice(table.length + 1).replace(/_check$/, '') : '';
  const field = column.replace(/_([a-z])/g, (_m, letter: string) => letter.toUpperCase());
  throw new ReferenceRejection(422, [{
    path: field ? `/${field}` : '',
    message: `cannot be stored as given${constraint ? ` (rule ${constraint})` : ''}: amounts and day targets are kept to the hundredth, so a value that rounds to 0 or past the column's range is refused`,
  }]);
}

function rejectionError(rejection: ReferenceRejection): HttpError {
  return new HttpError(rejection.statusCode, rejection.message, {}, rejection.errors);
}

/** Optional fields come back as null when unset, so the item schema allows null for them. */
function withNullableOptionals(schema: TObject): TObject {
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([name, property]) =>
      schema.required?.includes(name) ? [name, property] : [name, Type.Optional(Type.Union([property, Type.Null()]))],
    ),
  );
  return Type.Object(properties);
}

/** The columns a CSV row of a collection may have; device models come one sensor per row. */
function csvRowSchema(collection: CollectionName, idName: string, schema: TObject): TObject {
  if (collection === 'device-models') {
    return Type.Object({ id: Type.String(), name: Type.String(), sensor: Type.String(), unit: Type.String(), min: Type.Number(), max: Type.Number() });
  }
  return Type.Object({ [idName]: Type.String(), ...schema.properties });
}

/** Folds rows of id,name,sensor,unit,min,max into one device model per id, at the position of its first row. */
function groupSensorRows(rows: BodyItem[]): BodyItem[] {
  const models = new Map<string, BodyItem & { raw: { id: unknown; name: unknown; sensors: unknown[] } }>();
  const out: BodyItem[] = [];
  for (const row of rows) {
    if ('error' in row) {
      out.push(row);
      continue;
    }
    const { id, name, sensor, unit, min, max } = row.raw as Record<string, unknown>;
    let model = models.get(String(id));
    if (!model) {
      model = { index: row.index, ...(row.line ? { line: row.line } : {}), raw: { id, name, sensors: [] } };
      models.set(String(id), model);
      out.push(model);
    }
    if (sensor !== undefined) model.raw.sensors.push({ name: sensor, unit: unit ?? '', min, max });
  }
  return out;
}

export default reference;
