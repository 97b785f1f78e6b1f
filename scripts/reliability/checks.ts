/**
 * The checks of the reliability run: what the clients recorded (`RunRecord`) against what D1 holds
 * afterwards and what the audit API lists. Each check is pass/fail with a one-line detail and, on
 * failure, a few examples.
 */
import type { Attempt, Auth, RunRecord, Tok, Write } from "./workload.ts";
import { ms, n, percentile } from "./stats.ts";

/** One check's verdict. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  examples: string[];
}

/** What the run read back from D1 and from the audit API. */
export interface ReadBack {
  /** Every audit event; `seq` is its rowid, the order the events were committed in. */
  audit: { seq: number; id: string; orgId: string | null; action: string; targetId: string; requestId: string | null }[];
  orgs: Set<string>;
  stacks: Set<string>;
  policies: Map<string, { displayName: string; scopes: string[] }>;
  tokens: Map<string, { displayName: string; expiresAt: string | null }>;
  /** Rows of idempotency_keys per key. */
  idempotencyRows: Map<string, number>;
  /** Audit event ids listed by GET /api/v1/auditevents (every page), in order. */
  apiAuditIds: string[];
}

/** Revocation figures, for the report. */
export interface RevocationFigures {
  revoked: number;
  probedAfterAck: number;
  allowsAfterAck: number;
  /** Revoked tokens with at least one allow after their acknowledgement. */
  tokensAllowedAfterAck: number;
  /** Per revoked token: ack → end of the first deny of a request that started after the ack. */
  firstDenyDelays: number[];
  /** The latest start, after the ack, of a request that was allowed (0 when there is none). */
  longestAllowAfterAck: number;
  /** Allows of requests that started before the ack but were still in flight when the DELETE was sent. */
  inFlightAllows: number;
  /** The earliest deny observed relative to the ack (negative: seen before the DELETE's answer arrived). */
  earliestDenyVsAck: number;
  authorizesAfterAck: number;
}

const ok2xx = (a: Attempt) => a.status >= 200 && a.status < 300;
const limit = <T>(xs: T[], k = 5) => xs.slice(0, k);

function check(name: string, failures: string[], detail: string, examples = limit(failures)): Check {
  return { name, ok: failures.length === 0, detail: failures.length === 0 ? detail : `${detail}; ${failures.length} failures`, examples };
}

/** Every check, and the revocation figures. */
export function runChecks(r: RunRecord, d: ReadBack, httpStatuses: Map<number, number>): { checks: Check[]; revocation: RevocationFigures } {
  const checks: Check[] = [];
  const acked = r.writes.filter((w) => w.ackedAt !== null);
  const byPhase = (p: Write["phase"]) => r.writes.filter((w) => w.phase === p);

  // 0. The run did what it was asked: every write and revocation acknowledged, nothing unexpected.
  {
    const failures = [
      ...r.unexpected.map((u) => `${u.what} → ${u.status} ${JSON.stringify(u.body).slice(0, 160)}`),
      ...(r.timedOut ? ["the run hit its deadline"] : []),
    ];
    const w = r.writes.filter((x) => x.phase !== "setup" && x.op !== "token.delete" && !x.mayBeGone);
    const v = r.writes.filter((x) => x.op === "token.delete");
    checks.push(
      check(
        "every admin write and revocation acknowledged (no unexpected 4xx, no timeout)",
        failures,
        `${n(w.filter((x) => x.ackedAt !== null).length)}/${n(w.length)} writes, ${n(v.filter((x) => x.ackedAt !== null).length)}/${n(v.length)} revocations, ${n(byPhase("setup").length)} setup writes`,
      ),
    );
  }

  // 1a. Every acknowledged write is in D1. Updates are folded field by field in group order (the
  // writes of one group touch different fields), so two partial updates sent at once must both stay.
  // An update acknowledged while its object's DELETE ran must have been committed before the DELETE.
  {
    const failures: string[] = [];
    const lost: string[] = [];
    const afterDelete: string[] = [];
    const deleted = new Set(acked.filter((w) => w.op === "token.delete").map((w) => w.targetId!));
    const updates = new Map<string, Write[]>();
    for (const w of acked) {
      const id = w.targetId;
      if (id === null) {
        failures.push(`${w.op} #${w.n}: acknowledged without an id`);
        continue;
      }
      switch (w.op) {
        case "org.create":
          if (!d.orgs.has(id)) failures.push(`org ${id} (write #${w.n}) is not in D1`);
          break;
        case "stack.create":
          if (!d.stacks.has(id)) failures.push(`stack ${id} (write #${w.n}) is not in D1`);
          break;
        case "accesspolicy.create":
          if (!d.policies.has(id)) failures.push(`policy ${id} (write #${w.n}) is not in D1`);
          break;
        case "token.create":
          if (deleted.has(id) === d.tokens.has(id)) failures.push(`token ${id} (write #${w.n}) ${deleted.has(id) ? "was revoked but is still" : "is not"} in D1`);
          break;
        case "token.delete":
          if (d.tokens.has(id)) failures.push(`token ${id}: its DELETE (write #${w.n}) was acknowledged, but the row is still in D1`);
          break;
        case "accesspolicy.update":
        case "token.update":
          if (!updates.has(id)) updates.set(id, []);
          updates.get(id)!.push(w);
          break;
      }
    }
    let folded = 0;
    for (const [id, ws] of updates) {
      if (deleted.has(id)) continue; // an update sent with the token's DELETE: checked below, by commit order
      const first = (w: Write) => Math.min(...w.attempts.map((a) => a.start));
      ws.sort((a, b) => a.group - b.group || first(a) - first(b));
      const expected: Write["sent"] = {};
      const by: Record<string, number> = {};
      for (const w of ws) {
        for (const [field, value] of Object.entries(w.sent)) {
          (expected as Record<string, unknown>)[field] = value;
          by[field] = w.n;
        }
      }
      folded++;
      const row = ws[0]!.op === "accesspolicy.update" ? d.policies.get(id) : d.tokens.get(id);
      if (!row) {
        failures.push(`${ws[0]!.op} of ${id}: the object is gone`);
        continue;
      }
      const actual = row as Record<string, unknown>;
      for (const [field, value] of Object.entries(expected)) {
        const same =
          field === "expiresAt"
            ? (value === null ? null : Date.parse(value as string)) === (actual.expiresAt === null ? null : Date.parse(actual.expiresAt as string))
            : JSON.stringify(value) === JSON.stringify(actual[field]);
        if (!same) {
          const pair = ws.filter((w) => w.group === ws.find((x) => x.n === by[field])!.group).length > 1 ? " (sent at once with another partial update)" : "";
          lost.push(`${id}: ${field} is ${JSON.stringify(actual[field])} in D1, but acknowledged write #${by[field]}${pair} set ${JSON.stringify(value)}: a lost update`);
        }
      }
    }
    const seqs = (action: string, target: string) => d.audit.filter((e) => e.action === action && e.targetId === target).map((e) => e.seq);
    for (const w of acked) {
      if (w.op !== "token.update" || !w.mayBeGone) continue;
      const del = Math.min(...seqs("token.delete", w.targetId!));
      if (seqs("token.update", w.targetId!).some((u) => u > del)) {
        afterDelete.push(`token ${w.targetId}: update #${w.n} sent with the token's DELETE was answered 200, but was committed after the DELETE (its audit event follows token.delete): it changed no row`);
      }
    }
    failures.push(...lost, ...afterDelete);
    const detail = `${n(acked.length)} acknowledged writes read back; ${n(folded)} updated objects checked field by field` +
      (failures.length > 0 ? ` (${n(lost.length)} lost updates, ${n(afterDelete.length)} updates acknowledged after their object's DELETE)` : "");
    const others = failures.filter((f) => !afterDelete.includes(f) && !lost.includes(f));
    const examples = [...limit(others, 3), ...limit(lost, 3), ...limit(afterDelete, 3)];
    checks.push(check("every acknowledged write is in D1 (created rows present, deleted rows gone, every acknowledged update kept)", failures, detail, examples));
  }

  // 1b. Each acknowledged write has exactly one audit event, and there are no others.
  {
    const failures: string[] = [];
    const events = d.audit.filter((e) => e.orgId === r.orgId);
    const count = new Map<string, number>();
    for (const e of events) count.set(`${e.action}|${e.targetId}`, (count.get(`${e.action}|${e.targetId}`) ?? 0) + 1);
    const expected = new Map<string, number>();
    for (const w of acked) expected.set(`${w.op}|${w.targetId}`, (expected.get(`${w.op}|${w.targetId}`) ?? 0) + 1);
    for (const [k, want] of expected) {
      const got = count.get(k) ?? 0;
      if (got !== want) {
        const [action, target] = k.split("|");
        const note = action!.endsWith(".delete") && got > want ? " (the DELETE was sent twice at once without x-request-id)" : "";
        failures.push(`${target}: ${got} ${action} audit events for ${want} acknowledged write${want === 1 ? "" : "s"}${note}`);
      }
    }
    for (const k of count.keys()) if (!expected.has(k)) failures.push(`${k.replace("|", " of ")}: ${count.get(k)} audit events without an acknowledged write`);
    if (events.length !== acked.length) failures.push(`${events.length} audit events in the org for ${acked.length} acknowledged writes`);
    const apiIds = new Set(d.apiAuditIds);
    if (apiIds.size !== d.apiAuditIds.length) failures.push(`GET /api/v1/auditevents listed ${d.apiAuditIds.length - apiIds.size} events twice`);
    const missing = events.filter((e) => !apiIds.has(e.id));
    if (missing.length > 0 || apiIds.size !== events.length) {
      failures.push(`GET /api/v1/auditevents listed ${apiIds.size} events, D1 holds ${events.length} (${missing.length} not listed)`);
    }
    checks.push(
      check(
        "each acknowledged write has its audit event exactly once (D1 and GET /api/v1/auditevents)",
        failures,
        `${n(events.length)} audit events for ${n(acked.length)} acknowledged writes; the API lists ${n(d.apiAuditIds.length)}`,
      ),
    );
  }

  // 2. No allow for a request that started after its token's revocation was acknowledged.
  const tokens = r.tokens;
  const authsByToken = new Map<number, Auth[]>();
  for (const a of r.auths) {
    let list = authsByToken.get(a.tok);
    if (!list) authsByToken.set(a.tok, (list = []));
    list.push(a);
  }
  const revocation: RevocationFigures = {
    revoked: 0,
    probedAfterAck: 0,
    allowsAfterAck: 0,
    tokensAllowedAfterAck: 0,
    firstDenyDelays: [],
    longestAllowAfterAck: 0,
    inFlightAllows: 0,
    earliestDenyVsAck: Number.POSITIVE_INFINITY,
    authorizesAfterAck: 0,
  };
  {
    const failures: string[] = [];
    for (const t of tokens) {
      if (t.revokedAt === null) continue;
      const ack = t.revokedAt;
      revocation.revoked++;
      const list = authsByToken.get(t.idx) ?? [];
      let firstDenyEnd = Number.POSITIVE_INFINITY;
      let probed = false;
      for (const a of list) {
        if (a.status !== 200 && a.status !== 0 && a.status < 500) revocation.earliestDenyVsAck = Math.min(revocation.earliestDenyVsAck, a.end - ack);
        if (a.start > ack) {
          probed = true;
          revocation.authorizesAfterAck++;
          if (a.status === 200) {
            revocation.allowsAfterAck++;
            revocation.longestAllowAfterAck = Math.max(revocation.longestAllowAfterAck, a.start - ack);
          } else if (a.status === 401 || a.status === 403) firstDenyEnd = Math.min(firstDenyEnd, a.end);
        } else if (a.status === 200 && a.end > t.revokeSentAt!) revocation.inFlightAllows++;
      }
      if (probed) revocation.probedAfterAck++;
      const late = list.filter((a) => a.start > ack && a.status === 200).map((a) => a.start - ack);
      if (late.length > 0) {
        revocation.tokensAllowedAfterAck++;
        const latest = late.reduce((x, y) => Math.max(x, y), 0);
        failures.push(`token ${t.id}: ${late.length} requests allowed that started after its DELETE was acknowledged, the first ${ms(Math.min(...late))} and the last ${ms(latest)} after it`);
      }
      if (Number.isFinite(firstDenyEnd)) revocation.firstDenyDelays.push(firstDenyEnd - ack);
    }
    checks.push(
      check(
        "no /authorize started after a revocation's acknowledgement returned 200 (bound: 0 s in one location)",
        failures,
        `${n(revocation.allowsAfterAck)} allows (${n(revocation.tokensAllowedAfterAck)} tokens) in ${n(revocation.authorizesAfterAck)} authorizations of ${n(revocation.revoked)} revoked tokens started after the acknowledgement`,
      ),
    );
    const unprobed = tokens.filter((t) => t.revokedAt !== null && !(authsByToken.get(t.idx) ?? []).some((a) => a.start > t.revokedAt!));
    checks.push(
      check(
        "every revoked token was tried again after its acknowledgement (the check above is not vacuous)",
        unprobed.map((t) => `token ${t.id} was never tried after its DELETE was acknowledged`),
        `${n(revocation.probedAfterAck)}/${n(revocation.revoked)} revoked tokens tried after the acknowledgement`,
      ),
    );
  }

  // Tokens that were never revoked are never refused.
  {
    const failures: string[] = [];
    let live = 0;
    for (const a of r.auths) {
      const t: Tok = tokens[a.tok]!;
      const liveNow = t.revokeSentAt === null || a.end < t.revokeSentAt;
      if (!liveNow) continue;
      live++;
      if (a.status !== 200) failures.push(`${t.role} token ${t.id}: ${a.status} ${a.reason ?? ""} (${t.revokeSentAt === null ? "never revoked" : "before its DELETE was sent"})`);
    }
    checks.push(
      check(
        "live tokens are always allowed (control, plain, and victims before their DELETE is sent)",
        failures,
        `${n(live - failures.length)}/${n(live)} authorizations of live tokens allowed`,
      ),
    );
  }

  // 3. No 5xx, no network errors.
  {
    const failures: string[] = [];
    for (const [status, count] of httpStatuses) if (status >= 500 || status === 0) failures.push(`${count} × ${status === 0 ? "network error / timeout" : status}`);
    const total = [...httpStatuses.values()].reduce((a, b) => a + b, 0);
    checks.push(check("0 responses with status ≥ 500 (and no network errors); no faults injected", failures, `${n(total)} responses: ${[...httpStatuses].sort((a, b) => a[0] - b[0]).map(([s, c]) => `${s}×${n(c)}`).join(", ")}`));
  }

  // 4. Keyed writes, retried, wrote once.
  {
    const failures: string[] = [];
    const keyed = r.writes.filter((w) => w.key !== null);
    let replays = 0;
    let concurrent = 0;
    for (const w of keyed) {
      const originals = w.attempts.filter((a) => ok2xx(a) && !a.replayed);
      replays += w.attempts.filter((a) => a.replayed).length;
      if (w.retry === "concurrent") concurrent++;
      const ids = new Set(w.attempts.map((a) => (typeof a.body?.id === "string" ? a.body.id : "")));
      const statuses = new Set(w.attempts.map((a) => a.status));
      const audits = d.audit.filter((e) => e.requestId === w.key).length;
      const rows = d.idempotencyRows.get(w.key!) ?? 0;
      const leaked = w.op === "token.create" && w.attempts.some((a) => a.replayed && (a.body?.token !== undefined || a.body?.secretOmitted !== true));
      const problems = [
        ...(originals.length !== 1 ? [`${originals.length} answers were not replays`] : []),
        ...(statuses.size !== 1 ? [`statuses ${[...statuses].join("/")}`] : []),
        ...(ids.size !== 1 ? [`ids ${[...ids].join("/")}`] : []),
        ...(audits !== 1 ? [`${audits} audit events with this request id`] : []),
        ...(rows !== 1 ? [`${rows} idempotency rows`] : []),
        ...(leaked ? ["a replay carried a secret, or lacked secretOmitted"] : []),
      ];
      if (problems.length > 0) failures.push(`${w.op} #${w.n} (${w.retry}, ${w.attempts.length} requests): ${problems.join("; ")}`);
    }
    checks.push(
      check(
        "idempotent retries wrote exactly once (one original answer, the rest replays; one audit event, one key row)",
        failures,
        `${n(keyed.length)} keyed writes (${n(concurrent)} sent twice at once), ${n(keyed.reduce((a, w) => a + w.attempts.length, 0))} requests, ${n(replays)} replays`,
      ),
    );
  }

  return { checks, revocation };
}

/** "p50 x, p99 y, max z" of revoke→first-deny delays. */
export function describeDelays(f: RevocationFigures): string {
  const v = f.firstDenyDelays;
  if (v.length === 0) return "–";
  return `p50 ${ms(percentile(v, 50))}, p99 ${ms(percentile(v, 99))}, worst ${ms(v.reduce((a, b) => Math.max(a, b), 0))}`;
}
