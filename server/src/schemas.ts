import { Type } from '@sinclair/typebox';
import { MAX_LISTED_REJECTIONS } from './ingest/batch.js';

/** The shape of every error answer. */
export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String({ description: 'what was wrong and what to do' }),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'ErrorBody' },
);

export const errorResponses = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, Type.Ref('ErrorBody')]));

export const FieldErrorSchema = Type.Object({
  path: Type.String({ description: 'JSON pointer inside the record, e.g. /readings/3/at' }),
  message: Type.String(),
});

export const BatchSummarySchema = Type.Object({
  batchId: Type.String(),
  accepted: Type.Integer({ description: 'records queued for storage' }),
  rejected: Type.Array(
    Type.Object({
      index: Type.Integer({ description: 'position of the record in the batch, from 0' }),
      line: Type.Optional(Type.Integer({ description: 'line of the body (NDJSON, CSV)' })),
      errors: Type.Array(FieldErrorSchema),
    }),
    { description: `the first ${MAX_LISTED_REJECTIONS} rejected records` },
  ),
  rejectedCount: Type.Integer(),
});
