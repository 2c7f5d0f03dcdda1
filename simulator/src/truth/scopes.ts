import type { Network } from '../types.js';

export type ScopeKind = 'network' | 'region' | 'outlet' | 'productLine';

/** One scope the figures are given for, with the reference data its ratios divide by. */
export interface Scope {
  kind: ScopeKind;
  /** null for the network as a whole. */
  id: string | null;
  /** Outlets in the scope's reference data: every outlet for the network and for a product line. */
  outlets: number;
  /** Technicians on staff in those outlets. */
  technicians: number;
}

/**
 * Every scope numbered once, so that figures accumulate in flat arrays; an event
 * lands in the scopes of its outlet (network, region, outlet) and of its product line.
 */
export class ScopeIndex {
  readonly scopes: Scope[] = [];
  private readonly byOutlet = new Map<string, readonly number[]>();
  private readonly byProductLine = new Map<string, number>();

  constructor(network: Network) {
    const technicians = (outlets: Network['outlets']) => outlets.reduce((sum, o) => sum + o.technicians, 0);
    const networkSlot = this.add({ kind: 'network', id: null, outlets: network.outlets.length, technicians: technicians(network.outlets) });
    const regionSlots = new Map<string, number>();
    for (const region of network.regions) {
      const outlets = network.outlets.filter((o) => o.regionId === region.id);
      regionSlots.set(region.id, this.add({ kind: 'region', id: region.id, outlets: outlets.length, technicians: technicians(outlets) }));
    }
    for (const outlet of network.outlets) {
      const region = regionSlots.get(outlet.regionId);
      if (region === undefined) throw new Error(`outlet ${outlet.id} names region ${outlet.regionId}, which the network does not list; the truth needs every event to name one it lists`);
      const slot = this.add({ kind: 'outlet', id: outlet.id, outlets: 1, technicians: outlet.technicians });
      this.byOutlet.set(outlet.id, [networkSlot, region, slot]);
    }
    const whole = this.scopes[networkSlot]!;
    for (const line of network.productLines) {
      this.byProductLine.set(line.id, this.add({ kind: 'productLine', id: line.id, outlets: whole.outlets, technicians: whole.technicians }));
    }
  }

  /** Network, region and outlet scopes of an outlet. */
  ofOutlet(outletId: string, subject: string): readonly number[] {
    const slots = this.byOutlet.get(outletId);
    if (!slots) throw new Error(`${subject} names outlet ${outletId}, which the network does not list; the truth needs every event to name one it lists`);
    return slots;
  }

  /** Network, region, outlet and product-line scopes of an order or a complaint. */
  ofOutletAndLine(outletId: string, productLine: string, subject: string): readonly number[] {
    const line = this.byProductLine.get(productLine);
    if (line === undefined) throw new Error(`${subject} names product line ${productLine}, which the network does not list; the truth needs every event to name one it lists`);
    return [...this.ofOutlet(outletId, subject), line];
  }

  private add(scope: Scope): number {
    this.scopes.push(scope);
    return this.scopes.length - 1;
  }
}
