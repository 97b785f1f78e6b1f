/** A bounded least-recently-used map with a per-entry time to live. The clock is passed in. */
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; expires: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  /** The live value for `key`, refreshed as most recently used; undefined when absent or expired. */
  get(key: K, now: number): V | undefined {
    const hit = this.map.get(key);
    if (hit === undefined) return undefined;
    this.map.delete(key);
    if (hit.expires <= now) return undefined;
    this.map.set(key, hit);
    return hit.value;
  }

  /** Stores `value`, evicting the least recently used entry past the bound. */
  set(key: K, value: V, now: number): void {
    this.map.delete(key);
    this.map.set(key, { value, expires: now + this.ttlMs });
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as K);
  }

  /** Forgets `key`. */
  delete(key: K): void {
    this.map.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.map.clear();
  }

  /** How many entries are held (expired ones included until touched). */
  get size(): number {
    return this.map.size;
  }
}
