// The gateway: one listener per configured interface, all sharing the store, the clock and the
// handler table. Holds no state that must survive it (docs/architecture.md, Scale): restart is always clean
// (PC-09: nothing like the legacy shared-memory segment is left behind).
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/types.js';
import { handlerSettings } from '../config/settings.js';
import { Dispatcher } from '../dispatch.js';
import type { Logs } from '../log/index.js';
import type { Store } from '../store/types.js';
import type { Clock, HandlerModule } from '../types.js';
import { InterfaceListener, type ListenerStats } from './listener.js';
import type { Traces } from '../trace.js';

export interface GatewayDeps {
  config: Config;
  store: Store;
  logs: Logs;
  clock: Clock;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see handlers/index.ts
  handlers: readonly HandlerModule<any, any>[];
  /** Issue 18: the per-number traces of this process (src/trace.ts). */
  traces?: Traces;
}

export interface BoundInterface {
  name: string;
  kind: string;
  host: string;
  port: number;
  serves: number[];
}

export class Gateway {
  private readonly listeners: InterfaceListener[] = [];
  private readonly dispatchers = new Map<string, Dispatcher>();
  private stopping: Promise<void> | undefined;

  constructor(private readonly deps: GatewayDeps) {
    const settings = handlerSettings(deps.config);
    for (const iface of deps.config.interfaces) {
      const logs = deps.logs.forInterface(iface.name);
      const dispatcher = new Dispatcher({
        iface, handlers: deps.handlers, store: deps.store, clock: deps.clock, logs, settings,
        // PC-06: client identities and ledger retention (src/idempotency.ts)
        clients: deps.config.clients, idempotencyDays: deps.config.idempotencyDays, traces: deps.traces,
      });
      this.dispatchers.set(iface.name, dispatcher);
      this.listeners.push(new InterfaceListener(iface, { dispatcher, logs, clock: deps.clock }));
    }
  }

  /** Listen on every interface; if one cannot, the others are closed again and the error thrown. */
  async start(): Promise<BoundInterface[]> {
    const bound: BoundInterface[] = [];
    try {
      for (const l of this.listeners) {
        const addr: AddressInfo = await l.listen();
        bound.push({
          name: l.iface.name,
          kind: l.iface.kind,
          host: addr.address,
          port: addr.port,
          serves: this.dispatchers.get(l.iface.name)!.servedCodes(),
        });
        this.deps.logs.main.info({ iface: l.iface.name, host: addr.address, port: addr.port }, 'listening');
      }
    } catch (err) {
      await Promise.all(this.listeners.map((l) => l.stopAccepting().catch(() => undefined)));
      throw err;
    }
    return bound;
  }

  /** OP-04 readiness: true from the first stop() call on (SIGTERM). */
  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** OP-04 readiness: each enabled interface, and whether it accepts connections now. */
  listening(): { name: string; host: string; port: number; listening: boolean }[] {
    return this.listeners.map((l) => {
      const a = l.address();
      return { name: l.iface.name, host: a?.address ?? l.iface.host, port: a?.port ?? l.iface.port, listening: l.listening };
    });
  }

  stats(): ListenerStats[] {
    return this.listeners.map((l) => l.getStats());
  }

  /** SIGTERM: stop accepting, answer what is in flight, close. Idempotent. */
  stop(graceMs = this.deps.config.shutdownGraceMs): Promise<void> {
    this.stopping ??= (async () => {
      this.deps.logs.main.info({ graceMs }, 'stopping: no new connections, answering requests in flight');
      await Promise.all(this.listeners.map((l) => l.shutdown(graceMs)));
      for (const d of this.dispatchers.values()) d.close();
      this.deps.logs.main.info('stopped');
    })();
    return this.stopping;
  }
}
