/**
 * `node scripts/reliability/repro.ts [case…]`: minimal reproductions of the consistency bugs the
 * reliability run found (docs/RELIABILITY.md, "Findings"). Each case prints what it saw and whether the
 * bug reproduced; the script exits 1 while any of them does, so it doubles as a regression check.
 * `src/` is not changed: the slow KV reads are a Miniflare wrapped binding (scripts/reliability/keycard.ts).
 *
 *   refill-local    a KV read in flight across a DELETE puts the revoked record back in the isolate
 *                   cache: allowed after the 204 until the next feed poll (≤ REVOCATION_POLL_SECONDS)
 *   refill-global   the same, when a feed poll lands between the DELETE and the KV answer: allowed
 *                   for ISOLATE_CACHE_SECONDS (60 s), past the stated bound (takes ~70 s)
 *   double-delete   two DELETEs of one token at once, without x-request-id: two token.delete events
 *   update-delete   a token update sent with the token's DELETE: 200, committed after the DELETE
 *   lost-update     two partial updates of one policy at once (displayName, scopes): both 200, one lost
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { startKeycard, type RunningKeycard } from "./keycard.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Attempts of each race (they are timing-dependent; a few percent to a half of them hit). */
const TRIALS = Number(process.env.REPRO_TRIALS ?? 200);
type Json = Record<string, unknown>;

/** A Keycard with one org, stack and policy, and helpers to call it. */
async function world(kvReadDelayMs = 0) {
  const kc: RunningKeycard = await startKeycard({ kvReadDelayMs });
  const auth = { authorization: `Bearer ${kc.operatorToken}` };
  const call = async (method: string, path: string, body?: Json) => {
    const res = await fetch(kc.url + path, {
      method,
      headers: body ? { ...auth, "content-type": "application/json" } : auth,
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  };
  const org = (await call("POST", "/api/v1/orgs", { name: "repro" })).body.id as string;
  const stack = (await call("POST", "/api/v1/stacks", { orgId: org, name: "s" })).body.id as string;
  const q = `?orgId=${org}`;
  const policy = async (name: string) =>
    (await call("POST", `/api/v1/accesspolicies${q}`, { name, scopes: ["metrics:write"], realms: [{ type: "org", identifier: org, labelPolicies: [] }] })).body.id as string;
  const pol = await policy("p");
  const token = async (name: string) => (await call("POST", `/api/v1/tokens${q}`, { accessPolicyId: pol, name })).body as { id: string; token: string };
  const authorize = async (secret: string, ip = "10.0.0.2") => {
    const start = performance.now();
    const headers = { authorization: `Basic ${Buffer.from(`${stack}:${secret}`).toString("base64")}`, "x-keycard-scope": "metrics:write", "cf-connecting-ip": ip };
    const res = await fetch(`${kc.url}/authorize`, { headers });
    await res.arrayBuffer();
    return { start, status: res.status };
  };
  /** What another isolate would have left in KV: the token's record, absent from this isolate's cache. */
  const seedKv = async (t: { id: string; token: string }) => {
    const kv = await kc.mf.getKVNamespace("INNER", "slow-kv");
    const record = { tokenId: t.id, orgId: org, policyId: pol, expiresAt: null, status: "active", scopes: ["metrics:write"], realms: [{ type: "org", identifier: org, selectors: [] }], allowedSubnets: [] };
    await kv.put(`t:${createHash("sha256").update(t.token).digest("hex")}`, JSON.stringify(record));
  };
  const db = await kc.mf.getD1Database("DB");
  const auditActions = async (target: string) =>
    (await db.prepare("SELECT action FROM audit_events WHERE target_id = ? ORDER BY rowid").bind(target).all<{ action: string }>()).results.map((r) => r.action);
  return { kc, call, q, org, pol, policy, token, authorize, seedKv, db, auditActions };
}

/** Authorizes every `everyMs` until refused (or `limitMs`); the last allowed start, relative to `ack`. */
async function allowedUntil(w: Awaited<ReturnType<typeof world>>, secret: string, ack: number, everyMs: number, limitMs: number) {
  let lastAllowed = Number.NaN;
  for (;;) {
    const a = await w.authorize(secret);
    if (a.status !== 200) return { lastAllowed, deniedAt: a.start - ack };
    lastAllowed = a.start - ack;
    if (lastAllowed > limitMs) return { lastAllowed, deniedAt: Number.NaN };
    await sleep(everyMs);
  }
}

const cases: Record<string, () => Promise<{ reproduced: boolean; saw: string }>> = {
  async "refill-local"() {
    const w = await world(100);
    try {
      const t = await w.token("victim");
      await w.seedKv(t);
      const inFlight = Array.from({ length: 4 }, () => w.authorize(t.token)); // KV reads, 100 ms each
      await sleep(5);
      const res = await w.call("DELETE", `/api/v1/tokens/${t.id}${w.q}`);
      const ack = performance.now();
      await Promise.all(inFlight);
      const { lastAllowed, deniedAt } = await allowedUntil(w, t.token, ack, 100, 15_000);
      const saw = `DELETE ${res.status}; a request started ${lastAllowed.toFixed(0)} ms after it was still allowed; refused from ${deniedAt.toFixed(0)} ms`;
      return { reproduced: Number.isFinite(lastAllowed), saw };
    } finally {
      await w.kc.stop();
    }
  },

  async "refill-global"() {
    const w = await world(300);
    try {
      const control = await w.token("control");
      const t = await w.token("victim");
      await w.seedKv(t);
      await sleep(5200); // the next request reads the feed…
      const t0 = performance.now();
      await w.authorize(control.token, "10.0.0.1"); // …this one, at t0
      await sleep(5000 - 60 - (performance.now() - t0));
      const inFlight = Array.from({ length: 4 }, () => w.authorize(t.token)); // fresh cache (< 5 s): KV reads, 300 ms each
      await sleep(5);
      const res = await w.call("DELETE", `/api/v1/tokens/${t.id}${w.q}`);
      const ack = performance.now();
      while (performance.now() - t0 < 5400) {
        await w.authorize(control.token, "10.0.0.1"); // the first one past t0 + 5 s reads the feed, and the DELETE in it
        await sleep(10);
      }
      await Promise.all(inFlight);
      const { lastAllowed, deniedAt } = await allowedUntil(w, t.token, ack, 1000, 75_000);
      const saw = `DELETE ${res.status}; allowed until ${(lastAllowed / 1000).toFixed(1)} s after it, refused from ${(deniedAt / 1000).toFixed(1)} s (REVOCATION_POLL_SECONDS = 5)`;
      return { reproduced: lastAllowed > 6000, saw };
    } finally {
      await w.kc.stop();
    }
  },

  async "double-delete"() {
    const w = await world();
    try {
      let doubled = 0;
      let example = "";
      for (let i = 0; i < TRIALS; i++) {
        const t = await w.token(`t${i}`);
        const statuses = await Promise.all([1, 2, 3].map(() => w.call("DELETE", `/api/v1/tokens/${t.id}${w.q}`).then((r) => r.status)));
        const actions = await w.auditActions(t.id);
        if (actions.filter((a) => a === "token.delete").length > 1) {
          doubled++;
          example ||= `DELETE → ${statuses.join(", ")}; audit: ${actions.join(" → ")}`;
        }
      }
      return { reproduced: doubled > 0, saw: `${doubled}/${TRIALS} tokens got more than one token.delete event${example ? ` (e.g. ${example})` : ""}` };
    } finally {
      await w.kc.stop();
    }
  },

  async "update-delete"() {
    const w = await world();
    try {
      let phantom = 0;
      let example = "";
      for (let i = 0; i < TRIALS; i++) {
        const t = await w.token(`t${i}`);
        const path = `/api/v1/tokens/${t.id}${w.q}`;
        const [upd, del] = await Promise.all([w.call("POST", path, { displayName: `renamed ${i}` }), w.call("DELETE", path)]);
        const actions = await w.auditActions(t.id);
        if (upd.status === 200 && actions.lastIndexOf("token.update") > actions.indexOf("token.delete")) {
          phantom++;
          example ||= `update → ${upd.status} ${JSON.stringify(upd.body.displayName)}, DELETE → ${del.status}; audit: ${actions.join(" → ")}`;
        }
      }
      return { reproduced: phantom > 0, saw: `${phantom}/${TRIALS} updates answered 200 after the token was deleted${example ? ` (e.g. ${example})` : ""}` };
    } finally {
      await w.kc.stop();
    }
  },

  async "lost-update"() {
    const w = await world();
    try {
      let lost = 0;
      let example = "";
      for (let i = 0; i < TRIALS; i++) {
        const id = await w.policy(`lost-${i}`);
        const path = `/api/v1/accesspolicies/${id}${w.q}`;
        const [a, b] = await Promise.all([w.call("POST", path, { displayName: `renamed ${i}` }), w.call("POST", path, { scopes: ["metrics:write", "logs:read"] })]);
        const row = (await w.db.prepare("SELECT display_name, scopes FROM access_policies WHERE id = ?").bind(id).first<{ display_name: string; scopes: string }>())!;
        if (a.status === 200 && b.status === 200 && (row.display_name !== `renamed ${i}` || !row.scopes.includes("logs:read"))) {
          lost++;
          example ||= `both 200; D1 holds displayName ${JSON.stringify(row.display_name)}, scopes ${row.scopes}`;
        }
      }
      return { reproduced: lost > 0, saw: `${lost}/${TRIALS} pairs lost one acknowledged update${example ? ` (e.g. ${example})` : ""}` };
    } finally {
      await w.kc.stop();
    }
  },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((c) => !(c in cases));
if (unknown.length > 0) throw new Error(`unknown case ${unknown.join(", ")}; cases: ${Object.keys(cases).join(", ")}`);
let reproduced = 0;
const names = wanted.length > 0 ? wanted : Object.keys(cases);
for (const name of names) {
  const r = await cases[name]!();
  if (r.reproduced) reproduced++;
  console.log(`${r.reproduced ? "REPRODUCED" : "not seen  "}  ${name}: ${r.saw}`);
}
console.log(`repro: ${reproduced} of ${names.length} reproduced`);
process.exit(reproduced > 0 ? 1 : 0);
