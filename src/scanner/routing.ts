// OC-01/OC-02 routing: which configured switch ([switch.<name>]) takes a command, by the record's
// REGION and NETTYPE. The loader refuses two switches for one region and network type, so a route
// is unambiguous; a command without a route waits (status 5, RESULT says why), it is never dropped.
import type { SwitchConfig } from '../config/types.js';

export class Router {
  private readonly exact = new Map<string, SwitchConfig>();
  private readonly anyRegion = new Map<string, SwitchConfig>();

  constructor(readonly switches: readonly SwitchConfig[]) {
    for (const sw of switches) {
      for (const net of sw.netTypes) {
        if (sw.regions.includes('*')) this.anyRegion.set(net, sw);
        else for (const r of sw.regions) this.exact.set(`${r}|${net}`, sw);
      }
    }
  }

  /** The switch for a region and network type; undefined when none is configured. */
  route(region: string, netType: string): SwitchConfig | undefined {
    return this.exact.get(`${region}|${netType}`) ?? this.anyRegion.get(netType);
  }
}

/** The reason a command has no route, as RESULT and the log line say it. */
export function noRouteReason(region: string, netType: string): string {
  return `no switch configured for region ${region || '(empty)'} network ${netType || '(empty)'}: waiting (add it to a [switch.<name>] regions/net_types)`;
}
