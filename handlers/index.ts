// Every business function bssgate serves, one module each. The dispatcher is built from this list.
import type { HandlerModule } from '../src/types.js';
import connectionCheck from './connection-check.js';

// HandlerModule<any, any>: each module narrows its own request/reply types; the registry only needs
// the common shape, and the dispatcher validates bodies against the layouts before calling handle().
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const HANDLERS: readonly HandlerModule<any, any>[] = [connectionCheck];
