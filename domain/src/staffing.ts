import { Type, type Static } from '@sinclair/typebox';
import { Figure } from './kpi.js';
import { StringEnum } from './primitives.js';

/**
 * The staffing recommendation of the query API (DESIGN.md §5). Orders are orders received: an order
 * counts once, in the local month of its first `created` event, at that event's outlet. Flags rest on
 * the trailing months (the last three full months of the history, fewer when it is shorter), not on
 * the forecast: actual orders do not move with the fitted trend.
 */

export const FORECAST_METHODS = ['holt-winters', 'holt', 'mean'] as const;
export const ForecastMethodSchema = StringEnum(FORECAST_METHODS,
  'holt-winters (additive, 12-month season) from 24 months of history, holt (linear trend) from 3, else the mean');

const recent = 'orders received per month over the trailing months';

export const StaffingOutletRow = Type.Object({
  outletId: Type.String(),
  region: Type.String(),
  technicians: Type.Integer({ description: 'headcount today, from the outlet’s reference data' }),
  method: Type.Union([ForecastMethodSchema, Type.Null()], { description: 'null when there is no history' }),
  forecastOrders: Figure(Type.Number({ minimum: 0, description: 'orders received forecast for the month' })),
  techniciansNeeded: Figure(Type.Integer({ description: '⌈forecastOrders ÷ targetOrdersPerTechnician⌉' })),
  delta: Figure(Type.Integer({ description: 'techniciansNeeded − technicians: above 0 short of staff, below 0 staff to spare' })),
  recentOrdersPerMonth: Figure(Type.Number({ description: recent })),
  ratioToNetwork: Figure(Type.Number({ description: 'recentOrdersPerMonth ÷ the network’s average orders per outlet' })),
  flag: Type.Union([Type.Literal('consolidate'), Type.Null()], { description: 'consolidate when ratioToNetwork ≤ consolidateRatio' }),
});

export const StaffingRegionRow = Type.Object({
  region: Type.String(),
  outlets: Type.Integer({ description: 'outlets of the region in the reference data' }),
  technicians: Type.Integer(),
  recentOrdersPerMonth: Figure(Type.Number({ description: `${recent}, the region’s outlets together` })),
  avgOrdersPerOutlet: Figure(Type.Number({ description: 'recentOrdersPerMonth ÷ outlets' })),
  ratioToNetwork: Figure(Type.Number({ description: 'avgOrdersPerOutlet ÷ the network’s' })),
  flag: Type.Union([Type.Literal('new_outlet'), Type.Null()], { description: 'new_outlet when ratioToNetwork ≥ newOutletRatio' }),
});

export const StaffingBacktest = Type.Object({
  method: ForecastMethodSchema,
  months: Type.Integer({ description: 'the last months of each outlet’s history, each forecast one month ahead from the months before it' }),
  mae: Type.Number({ description: 'mean absolute error, orders per outlet and month' }),
  wape: Figure(Type.Number({ description: 'Σ|error| ÷ Σ actual orders' })),
  naiveMae: Type.Number({ description: 'the same for the naive forecast: the same month a year earlier, else the month before' }),
  naiveWape: Figure(Type.Number()),
});

export const Staffing = Type.Object({
  month: Type.String({ description: 'the month forecast, YYYY-MM' }),
  history: Type.Object({
    from: Type.Union([Type.String(), Type.Null()], { description: 'first month of every outlet’s series: the network’s first month with an order (YYYY-MM); null without history' }),
    to: Type.String({ description: 'the month after the last month of history (YYYY-MM): the requested month, or the current month for a later one' }),
    months: Type.Integer(),
    trailingMonths: Type.Integer({ description: 'the last months of the history the flags rest on (3, fewer when the history is shorter)' }),
  }),
  targetOrdersPerTechnician: Type.Number(),
  newOutletRatio: Type.Number(),
  consolidateRatio: Type.Number(),
  outlets: Type.Array(StaffingOutletRow),
  regions: Type.Array(StaffingRegionRow),
  network: Type.Object(
    {
      outlets: Type.Integer(),
      recentOrdersPerMonth: Figure(Type.Number({ description: recent })),
      avgOrdersPerOutlet: Figure(Type.Number({ description: 'recentOrdersPerMonth ÷ outlets' })),
    },
    { description: 'every outlet the caller may see, whatever the region and outlet filters: what regions and outlets are compared with' },
  ),
  backtest: Figure(StaffingBacktest),
});

export type StaffingOutletRow = Static<typeof StaffingOutletRow>;
export type StaffingRegionRow = Static<typeof StaffingRegionRow>;
export type StaffingBacktest = Static<typeof StaffingBacktest>;
export type Staffing = Static<typeof Staffing>;
