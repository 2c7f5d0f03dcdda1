/**
 * SQL condition for the rollup writers, with the business time zone as $2: the rollups are bucketed in it,
 * or not built yet (the first rebuild recomputes them). When another worker instance has rebuilt them in
 * another zone (a rolling change of BUSINESS_TIMEZONE), this writer leaves them alone rather than adding
 * contributions bucketed in its own.
 */
export const SAME_ZONE = `NOT EXISTS (SELECT 1 FROM rollup_state z WHERE z.name = 'figures' AND z.time_zone <> $2::text)`;
