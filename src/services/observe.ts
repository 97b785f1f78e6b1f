/**
 * Observability: one JSON log line per decision and per admin change (never a token), counters for
 * a Prometheus-text `/metrics` (per isolate), and a data point per decision in Workers Analytics
 * Engine when the `DECISIONS` dataset is bound (global, across isolates).
 */
import type { Outcome } from "./decide.ts";

/** The Analytics Engine dataset's shape. */
export interface Dataset {
  writeDataPoint(point: { blobs?: string[]; doubles?: number[]; indexes?: string[] }): void;
}

/** What is logged about one decision. */
export interface DecisionLog {
  requestId: string;
  outcome: Outcome;
  scopes: string | null;
  latencyMs: number;
}

const BUCKETS_MS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000];

/** Per-isolate counters, and the sinks for log lines and data points. */
export class Observer {
  private readonly decisions = new Map<string, number>();
  private readonly latency = { buckets: BUCKETS_MS.map(() => 0), count: 0, sum: 0 };

  constructor(
    private readonly dataset: Dataset | null,
    private readonly log: (line: string) => void = (line) => console.log(line),
  ) {}

  /** Records one decision: counters, a log line, a data point. */
  decision(d: DecisionLog): void {
    const o = d.outcome;
    const reason = o.allow ? "allowed" : o.reason;
    const key = `${o.allow ? "allow" : "deny"}|${reason}`;
    this.decisions.set(key, (this.decisions.get(key) ?? 0) + 1);
    this.latency.count++;
    this.latency.sum += d.latencyMs;
    BUCKETS_MS.forEach((b, i) => {
      if (d.latencyMs <= b) this.latency.buckets[i]!++;
    });
    const token = o.allow
      ? { tokenId: o.claims.sub, policyId: o.claims.pol, org: o.claims.org, stack: o.claims.stack ?? null }
      : { tokenId: o.token?.id ?? null, policyId: o.token?.policyId ?? null, org: o.token?.orgId ?? null, stack: null };
    const scopes = o.allow ? o.claims.scope : d.scopes;
    this.log(JSON.stringify({ msg: "decision", requestId: d.requestId, ...token, scopes, outcome: o.allow ? "allow" : "deny", reason, latencyMs: d.latencyMs }));
    this.dataset?.writeDataPoint({
      blobs: [o.allow ? "allow" : "deny", reason, token.org ?? "", token.stack ?? "", token.tokenId ?? ""],
      doubles: [d.latencyMs],
      indexes: [token.org ?? "none"],
    });
  }

  /** Logs one admin request. */
  admin(line: { requestId: string; actor: string; method: string; path: string; status: number; latencyMs: number }): void {
    this.log(JSON.stringify({ msg: "admin", ...line }));
  }

  /** The Prometheus text exposition of this isolate's counters. */
  metrics(cacheHits: Readonly<Record<string, number>>): string {
    const lines = [
      "# HELP keycard_decisions_total Authorize decisions by outcome and reason (this isolate).",
      "# TYPE keycard_decisions_total counter",
    ];
    for (const [key, n] of [...this.decisions].sort()) {
      const [outcome, reason] = key.split("|");
      lines.push(`keycard_decisions_total{outcome="${outcome}",reason="${reason}"} ${n}`);
    }
    lines.push("# HELP keycard_record_lookups_total Token record lookups by where they were answered.", "# TYPE keycard_record_lookups_total counter");
    for (const [source, n] of Object.entries(cacheHits)) lines.push(`keycard_record_lookups_total{source="${source}"} ${n}`);
    const total = Object.values(cacheHits).reduce((a, b) => a + b, 0);
    const cached = (cacheHits.isolate ?? 0) + (cacheHits.negative ?? 0);
    lines.push("# HELP keycard_cache_hit_ratio Share of lookups answered by the isolate caches.", "# TYPE keycard_cache_hit_ratio gauge");
    lines.push(`keycard_cache_hit_ratio ${total === 0 ? 0 : (cached / total).toFixed(4)}`);
    lines.push("# HELP keycard_decision_latency_ms Time to decide, in milliseconds.", "# TYPE keycard_decision_latency_ms histogram");
    BUCKETS_MS.forEach((b, i) => lines.push(`keycard_decision_latency_ms_bucket{le="${b}"} ${this.latency.buckets[i]}`));
    lines.push(`keycard_decision_latency_ms_bucket{le="+Inf"} ${this.latency.count}`);
    lines.push(`keycard_decision_latency_ms_sum ${this.latency.sum}`, `keycard_decision_latency_ms_count ${this.latency.count}`);
    return lines.join("\n") + "\n";
  }
}
