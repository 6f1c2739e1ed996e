// The month cache of the detail pages (CS-11, CS-13, PR-02, C1-03, PR-03, VO-08; issue 17): a
// page read with OFFSET reads and discards every record before it, so its cost grows with the
// offset (SQLite: 1.2 ms at offset 0, 6–7 ms at 2,800 of a 3,000-record month). Instead, the
// whole list of one number's month is read once, converted to its wire items, and kept for a
// short while; a page is then a slice of it, whatever its offset.
//
// Correctness: every request still runs the list's COUNT (which a full page needed anyway, and
// whose cost does not depend on the offset) and the cached list is used only when its length is
// that count. Ticket tables are append-only (rated records are inserted, not changed), so a record
// added or removed since the list was read is seen at once: the list is read again. A record
// changed in place (same count) can be shown in its old form for at most `ttlMs` after the list
// was read: that is the bounded staleness.
//
// Memory: at most `maxItems` items over all lists (least recently used lists go first), and a
// list longer than `maxListItems` is never kept (its pages are read with OFFSET as before).
// Items are plain objects of fixed-width fields (~85 bytes on the wire, a few hundred in memory).

export interface PageCacheOptions {
  /** How long a list read is believed when its count has not changed (ms). */
  ttlMs: number;
  /** Items held over all lists. */
  maxItems: number;
  /** A list longer than this is not kept. */
  maxListItems: number;
  /** Monotonic milliseconds (tests). */
  now?: () => number;
}

/** The defaults: 10 s, 200,000 items (~60 MB at most), lists of up to 20,000 records. */
export const PAGE_CACHE_DEFAULTS: PageCacheOptions = { ttlMs: 10_000, maxItems: 200_000, maxListItems: 20_000 };

interface Entry<T> {
  at: number;
  /** The write publication counter when the list was read (src/store/write-watch.ts). */
  seq: number;
  items: T[];
}

interface Loading<T> {
  seq: number;
  p: Promise<T[]>;
}

/** True when the list was written (by this process) after publication `since`: a kept list is then read again. */
export type WrittenSince = (since: number) => boolean;

export class PageCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly loading = new Map<string, Loading<T>>();
  private held = 0;
  private readonly now: () => number;
  /** Counters for tests and the bench: lists read, pages answered from a kept list. */
  readonly stats = { loads: 0, hits: 0, bypass: 0 };

  constructor(readonly opts: PageCacheOptions = PAGE_CACHE_DEFAULTS) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** Items held now (tests). */
  get size(): number {
    return this.held;
  }

  /**
   * The list `key` as it is now, when it has `count` items: from the cache when a list of that
   * length was read less than ttlMs ago (and, with `written`, not written by this process since),
   * else read with `load` (one read shared by concurrent requests, unless written since it
   * started) and kept. `seq` is the write publication counter now (src/store/write-watch.ts
   * writeSeq(); 0 for the ticket lists, which bssgate never writes). undefined when count exceeds
   * maxListItems: the caller pages with OFFSET.
   */
  async list(key: string, count: number, load: () => Promise<T[]>, written?: WrittenSince, seq = 0): Promise<T[] | undefined> {
    if (count > this.opts.maxListItems) {
      this.stats.bypass++;
      return undefined;
    }
    const e = this.entries.get(key);
    if (e && e.items.length === count && this.now() - e.at < this.opts.ttlMs && !written?.(e.seq)) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, e);
      this.stats.hits++;
      return e.items;
    }
    const l = this.loading.get(key);
    if (l && !written?.(l.seq)) return l.p;
    const at = this.now();
    this.stats.loads++;
    const mine: Loading<T> = {
      seq,
      p: load().then(
        (items) => {
          if (this.loading.get(key) === mine) this.loading.delete(key);
          const kept = this.entries.get(key);
          // A read started later may have finished first: the later one stays.
          if (!kept || kept.seq <= seq) this.put(key, { at, seq, items });
          return items;
        },
        (err: unknown) => {
          if (this.loading.get(key) === mine) this.loading.delete(key);
          throw err;
        },
      ),
    };
    this.loading.set(key, mine);
    return mine.p;
  }

  private put(key: string, e: Entry<T>): void {
    this.drop(key);
    if (e.items.length > this.opts.maxListItems) return;
    this.entries.set(key, e);
    this.held += e.items.length;
    for (const k of this.entries.keys()) {
      if (this.held <= this.opts.maxItems) break;
      this.drop(k);
    }
  }

  private drop(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.held -= old.items.length;
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }
}
