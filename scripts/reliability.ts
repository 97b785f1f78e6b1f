/**
 * `node scripts/reliability.ts`: consistency under load (issue #7, item 7). Starts Keycard in Miniflare
 * directly (loopback, in-memory D1/KV/Durable Objects), then runs at once, within one concurrency
 * bound: 2,000 admin writes (some keyed with `x-request-id` and retried), 500 revocations of tokens in
 * use, and a continuous stream of /authorize for those tokens and for never-revoked control tokens.
 * Afterwards it reads D1 and the audit API and checks:
 *
 *  1. every acknowledged write is in D1, with its audit event exactly once;
 *  2. no /authorize that started after a revocation was acknowledged returned 200 for that token (in
 *     one location the stated bound is the very next request);
 *  3. 0 responses with status ≥ 500 (no faults are injected);
 *  4. idempotent retries wrote exactly once;
 *
 * and reports throughput and latencies. Ends with `reliability: N passed, M failed`; exits 1 on any
 * failure. docs/RELIABILITY.md has the latest figures.
 *
 * Options (environment): RELIABILITY_WRITES (2000), RELIABILITY_REVOCATIONS (500),
 * RELIABILITY_CONCURRENCY (32), RELIABILITY_SEED (7), RELIABILITY_KEYED (0.2), RELIABILITY_CONTENTION (0.1:
 * the share of updates sent as two partial updates of one object at once, and of revocations sent as
 * two unkeyed DELETEs at once or together with an update of the token; 0 turns contention off),
 * RELIABILITY_TAIL_MS (1000), RELIABILITY_DEADLINE_SECONDS (170); and, to probe the caches rather than
 * measure the default, RELIABILITY_VARS (JSON Worker variables, e.g. '{"ISOLATE_CACHE_SECONDS":"1"}') and
 * RELIABILITY_KV_READ_MS (extra latency of every KV read, default 0). RELIABILITY_RECORD=<file> writes
 * every request's timings and outcome as JSON (ids, never a token secret or a response body).
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { describeDelays, runChecks, type ReadBack } from "./reliability/checks.ts";
import { startKeycard } from "./reliability/keycard.ts";
import { ms, n, spread } from "./reliability/stats.ts";
import { runWorkload, type WorkloadOptions } from "./reliability/workload.ts";

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number`);
  return v;
};

const options: WorkloadOptions = {
  writes: num("RELIABILITY_WRITES", 2000),
  revocations: num("RELIABILITY_REVOCATIONS", 500),
  concurrency: Math.max(3, num("RELIABILITY_CONCURRENCY", 32)),
  seed: num("RELIABILITY_SEED", 7),
  keyedShare: num("RELIABILITY_KEYED", 0.2),
  contention: num("RELIABILITY_CONTENTION", 0.1),
  tailMs: num("RELIABILITY_TAIL_MS", 1000),
  deadlineMs: num("RELIABILITY_DEADLINE_SECONDS", 170) * 1000,
  controlTokens: 16,
  stacks: 4,
};

const vars = JSON.parse(process.env.RELIABILITY_VARS ?? "{}") as Record<string, string>;
const kvReadDelayMs = num("RELIABILITY_KV_READ_MS", 0);

const t0 = performance.now();
const keycard = await startKeycard({ vars, kvReadDelayMs });
const startup = performance.now() - t0;
let failed: boolean;
try {
  const pollSeconds = (await keycard.mf.getBindings<Record<string, unknown>>()).REVOCATION_POLL_SECONDS;
  const tuning = [
    ...Object.entries(vars).map(([k, v]) => `${k}=${v}`),
    ...(kvReadDelayMs > 0 ? [`KV reads +${kvReadDelayMs} ms`] : []),
  ];
  console.log(
    `keycard reliability: Miniflare direct (${keycard.url}), Node ${process.version}, ${options.concurrency} client workers, ` +
      `seed ${options.seed}, REVOCATION_POLL_SECONDS=${String(pollSeconds)} (one location: revocation bound = the next request)` +
      (tuning.length > 0 ? `; ${tuning.join(", ")}` : ""),
  );
  const run = await runWorkload(keycard.url, keycard.operatorToken, options);

  // Every status the clients saw, for the 5xx check (verification reads below are added too).
  const statuses = new Map<number, number>();
  const seen = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
  for (const w of run.writes) for (const a of w.attempts) seen(a.status);
  for (const a of run.auths) seen(a.status);

  // Read back: D1 directly, and the audit log through the API, page by page.
  const db = await keycard.mf.getD1Database("DB");
  const rows = async <T>(sql: string) => (await db.prepare(sql).all<T>()).results;
  const audit = await rows<{ seq: number; id: string; org_id: string | null; action: string; target_id: string; request_id: string | null }>(
    "SELECT rowid AS seq, id, org_id, action, target_id, request_id FROM audit_events",
  );
  const apiAuditIds: string[] = [];
  for (let next: string | null = `/api/v1/auditevents?orgId=${run.orgId}&pageSize=1000`; next !== null; ) {
    const res = await fetch(keycard.url + next, { headers: { authorization: `Bearer ${keycard.operatorToken}` } });
    seen(res.status);
    if (!res.ok) throw new Error(`GET ${next} → ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { items: { id: string }[]; metadata: { pagination: { nextPage: string | null } } };
    apiAuditIds.push(...page.items.map((e) => e.id));
    next = page.metadata.pagination.nextPage;
  }
  const readBack: ReadBack = {
    audit: audit.map((e) => ({ seq: e.seq, id: e.id, orgId: e.org_id, action: e.action, targetId: e.target_id, requestId: e.request_id })),
    orgs: new Set((await rows<{ id: string }>("SELECT id FROM orgs")).map((r) => r.id)),
    stacks: new Set((await rows<{ id: string }>("SELECT id FROM stacks")).map((r) => r.id)),
    policies: new Map(
      (await rows<{ id: string; display_name: string; scopes: string }>("SELECT id, display_name, scopes FROM access_policies")).map((r) => [
        r.id,
        { displayName: r.display_name, scopes: JSON.parse(r.scopes) as string[] },
      ]),
    ),
    tokens: new Map(
      (await rows<{ id: string; display_name: string; expires_at: string | null }>("SELECT id, display_name, expires_at FROM tokens")).map((r) => [
        r.id,
        { displayName: r.display_name, expiresAt: r.expires_at },
      ]),
    ),
    idempotencyRows: new Map((await rows<{ key: string; c: number }>("SELECT key, count(*) AS c FROM idempotency_keys GROUP BY key")).map((r) => [r.key, r.c])),
    apiAuditIds,
  };

  const { checks, revocation } = runChecks(run, readBack, statuses);
  if (process.env.RELIABILITY_RECORD) {
    const at = (t: number) => Number((t - run.runStart).toFixed(3));
    writeFileSync(
      process.env.RELIABILITY_RECORD,
      JSON.stringify({
        options,
        writes: run.writes.map((w) => ({
          n: w.n,
          op: w.op,
          phase: w.phase,
          targetId: w.targetId,
          key: w.key,
          retry: w.retry,
          group: w.group,
          ackedAt: w.ackedAt === null ? null : at(w.ackedAt),
          attempts: w.attempts.map((a) => ({ start: at(a.start), answered: at(a.answered), end: at(a.end), status: a.status, replayed: a.replayed })),
        })),
        tokens: run.tokens.map((t) => ({ idx: t.idx, id: t.id, role: t.role, revokeSentAt: t.revokeSentAt === null ? null : at(t.revokeSentAt), revokedAt: t.revokedAt === null ? null : at(t.revokedAt) })),
        authorizations: run.auths.map((a) => ({ token: a.tok, start: at(a.start), end: at(a.end), status: a.status, reason: a.reason })),
      }),
    );
  }

  // Figures.
  const seconds = (run.runEnd - run.runStart) / 1000;
  const runWrites = run.writes.filter((w) => w.phase !== "setup" && w.op !== "token.delete" && !w.mayBeGone);
  const revokes = run.writes.filter((w) => w.op === "token.delete");
  const contention = run.writes.filter((w) => w.phase === "contention");
  const racing = contention.filter((w) => w.op === "token.update" && w.mayBeGone);
  const latencies = (ws: typeof run.writes) => ws.flatMap((w) => w.attempts.filter((a) => !a.replayed).map((a) => a.end - a.start));
  const replayLatencies = [...runWrites, ...revokes].flatMap((w) => w.attempts.filter((a) => a.replayed).map((a) => a.end - a.start));
  const authLatencies = run.auths.map((a) => a.end - a.start);
  const adminRequests = [...runWrites, ...revokes, ...racing].reduce((a, w) => a + w.attempts.length, 0);
  const byOp = new Map<string, number>();
  for (const w of runWrites) byOp.set(w.op, (byOp.get(w.op) ?? 0) + 1);
  const allowed = run.auths.filter((a) => a.status === 200).length;
  const total = (performance.now() - t0) / 1000;

  console.log(`\nload (${seconds.toFixed(1)} s; workers: ${run.workers.admin} admin, ${run.workers.revoke} revoke, ${run.workers.authorize} authorize)`);
  console.log(`  admin writes     ${n(runWrites.length)} (${[...byOp].map(([op, c]) => `${op} ${n(c)}`).join(", ")}) in ${((run.writesEnd - run.runStart) / 1000).toFixed(1)} s`);
  console.log(`  revocations      ${n(revokes.length)} DELETE /api/v1/tokens/{id}, done at ${((run.revokesEnd - run.runStart) / 1000).toFixed(1)} s`);
  if (options.contention === 0) console.log("  contention       off (RELIABILITY_CONTENTION=0)");
  else console.log(
    `  contention       ${n(contention.filter((w) => w.op.endsWith(".update") && !w.mayBeGone).length / 2)} pairs of partial updates of one object sent at once, ` +
      `${n(contention.filter((w) => w.retry === "naive").length)} revocations sent twice at once without x-request-id, ` +
      `${n(racing.length)} token updates sent with the token's DELETE (${n(racing.filter((w) => w.ackedAt !== null).length)} answered 200)`,
  );
  console.log(`  admin requests   ${n(adminRequests)} incl. retries, ${(adminRequests / ((Math.max(run.writesEnd, run.revokesEnd) - run.runStart) / 1000)).toFixed(0)}/s`);
  console.log(`  authorizations   ${n(run.auths.length)} (${n(allowed)} allowed, ${n(run.auths.length - allowed)} refused), ${(run.auths.length / seconds).toFixed(0)}/s`);
  console.log(`\nlatency (client side, loopback)`);
  console.log(`  admin write      ${spread(latencies(runWrites))}`);
  console.log(`  revocation       ${spread(latencies(revokes))}`);
  console.log(`  keyed replay     ${spread(replayLatencies)}`);
  console.log(`  /authorize       ${spread(authLatencies)}`);
  console.log(`\nrevocation`);
  console.log(`  revoked tokens tried after the acknowledgement  ${n(revocation.probedAfterAck)}/${n(revocation.revoked)} (${n(revocation.authorizesAfterAck)} authorizations)`);
  console.log(
    `  allowed after the acknowledgement               ${n(revocation.allowsAfterAck)}` +
      (revocation.allowsAfterAck > 0 ? ` (the latest started ${ms(revocation.longestAllowAfterAck)} after it)` : ""),
  );
  console.log(`  ack → first deny of a request started after it  ${describeDelays(revocation)}`);
  console.log(`  earliest deny relative to the ack               ${ms(revocation.earliestDenyVsAck)} (negative: refused before the DELETE's answer arrived)`);
  console.log(`  allowed while their DELETE was in flight       ${n(revocation.inFlightAllows)} (started before the acknowledgement: within the bound)`);
  console.log(`\nworkerd output: ${n(keycard.log.lines)} lines, ${n(keycard.log.errorCount)} error lines`);
  for (const [line, count] of [...keycard.log.errors].slice(0, 5)) console.log(`  ${n(count)} × ${line}`);

  console.log(`\nchecks`);
  for (const c of checks) {
    console.log(`  ${c.ok ? "ok  " : "FAIL"}  ${c.name}: ${c.detail}`);
    for (const e of c.examples) console.log(`          ${e}`);
  }
  const passed = checks.filter((c) => c.ok).length;
  console.log(`\nruntime: ${total.toFixed(1)} s (startup ${(startup / 1000).toFixed(1)} s, load ${seconds.toFixed(1)} s, checks ${(total - seconds - startup / 1000).toFixed(1)} s)`);
  console.log(`reliability: ${passed} passed, ${checks.length - passed} failed`);
  failed = passed !== checks.length;
} finally {
  await keycard.stop();
}
process.exit(failed ? 1 : 0);
