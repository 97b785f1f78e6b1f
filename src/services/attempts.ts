/**
 * Failed-attempt limiting. Credential failures (401s) are counted per client IP in the Workers
 * rate-limiting binding (`FAILED_ATTEMPTS`, shared by the isolates of one Cloudflare location,
 * about `limit` failures per `period`). Once the binding says an IP is over its limit, this isolate
 * refuses that IP for a minute without looking at its credentials. Valid tokens from other IPs are
 * never affected. Without the binding, nothing is counted.
 */
import { Lru } from "../storage/lru.ts";

/** The rate-limiting binding's shape. */
export interface RateLimit {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** How long an IP stays refused once over its limit. */
export const BLOCK_SECONDS = 60;

/** Counts failures per client IP and refuses IPs over the limit. One per isolate. */
export class AttemptLimiter {
  private readonly blocked = new Lru<string, true>(50_000, BLOCK_SECONDS * 1000);

  constructor(private readonly binding: RateLimit | null) {}

  /** Seconds until `ip` may try again, or 0 when it is not refused. */
  retryAfter(ip: string | null, now: number): number {
    return ip !== null && this.blocked.get(ip, now) ? BLOCK_SECONDS : 0;
  }

  /** Counts one failed attempt from `ip`. */
  async failed(ip: string | null, now: number): Promise<void> {
    if (ip === null || this.binding === null) return;
    const { success } = await this.binding.limit({ key: `ip:${ip}` });
    if (!success) this.blocked.set(ip, true, now);
  }
}
