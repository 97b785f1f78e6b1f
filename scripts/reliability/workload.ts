/**
 * The load of the reliability run, against one running Keycard: a setup (one org, stacks, a control
 * policy with never-revoked control tokens), then three pools at once, sharing one concurrency bound:
 *
 * - admin writers: `writes` logical writes (policy creates and updates, token creates and updates);
 * - revokers: `revocations` DELETEs of victim tokens that /authorize has already allowed at least twice;
 * - authorizers: /authorize in a loop, for control, plain, victim, being-revoked and revoked tokens,
 *   each revoked token probed again as soon as its DELETE is acknowledged, until every revocation is
 *   acknowledged and `tailMs` has passed.
 *
 * A share of the writes and revocations carry an `x-request-id` and are retried, one after the other or
 * two at once, as a client does when it lost an answer. With `contention`, some writes also meet on one
 * object: two partial updates of different fields at once, a DELETE sent twice at once without a key
 * (a naive client retry), a token update sent together with the token's DELETE. Every request is
 * recorded (start, answer, end, status), so the checks afterwards work only from what the clients saw
 * and from D1.
 */
import { performance } from "node:perf_hooks";
import { prng, shuffle } from "./stats.ts";

/** What a run is asked to do. */
export interface WorkloadOptions {
  writes: number;
  revocations: number;
  /** Client workers in all (admin writers + revokers + authorizers). */
  concurrency: number;
  seed: number;
  /** The share of writes and revocations sent with an `x-request-id` and retried. */
  keyedShare: number;
  /** The share of updates and revocations that meet another write on the same object (0: none). */
  contention: number;
  /** How long authorizations go on after the last revocation was acknowledged. */
  tailMs: number;
  /** The run is abandoned (and fails) past this. */
  deadlineMs: number;
  controlTokens: number;
  stacks: number;
}

/** One HTTP request as the client saw it; times are `performance.now()` milliseconds. */
export interface Attempt {
  start: number;
  /** When the status and headers arrived: for a DELETE, the moment it is acknowledged. */
  answered: number;
  /** When the body was read. */
  end: number;
  /** 0 for a network error or a timeout. */
  status: number;
  replayed: boolean;
  /** Sent together with another copy of the same request. */
  concurrent: boolean;
  body: Record<string, unknown> | null;
}

export type WriteOp =
  | "org.create"
  | "stack.create"
  | "accesspolicy.create"
  | "accesspolicy.update"
  | "token.create"
  | "token.update"
  | "token.delete";

/**
 * How a write is sent: once; keyed and retried after the answer; keyed and sent twice at once (then
 * once more); or, without a key, twice at once (a naive retry: one may be a 404).
 */
export type Retry = "none" | "sequential" | "concurrent" | "naive";

/** One logical admin write and every request sent for it. */
export interface Write {
  n: number;
  op: WriteOp;
  phase: "setup" | "write" | "revoke" | "contention";
  /** The object written: from the path for updates and deletes, from the first 2xx body for creates. */
  targetId: string | null;
  key: string | null;
  retry: Retry;
  /**
   * Writes to one object in one group were sent at once (and touch different fields); groups of one
   * object never overlap, so they are ordered by `group`.
   */
  group: number;
  /** A 404 is a correct answer (a naive duplicate DELETE, an update racing the object's DELETE). */
  mayBeGone: boolean;
  attempts: Attempt[];
  /** The first 2xx answer's arrival, or null when no attempt succeeded. */
  ackedAt: number | null;
  /** The fields written whose result can be read back. */
  sent: { displayName?: string; scopes?: string[]; expiresAt?: string | null };
}

/** A token the run holds the secret of. */
export interface Tok {
  idx: number;
  id: string;
  secret: string;
  stackId: string;
  ip: string;
  role: "control" | "victim" | "plain";
  policyId: string;
  expiresAt: string | null;
  allows: number;
  tries: number;
  /** When /authorize first allowed it. */
  firstAllowAt: number | null;
  busy: boolean;
  revoke: Write | null;
  revokeSentAt: number | null;
  revokedAt: number | null;
}

/** A policy of the run. */
export interface Pol {
  id: string;
  stackId: string;
  scopes: string[];
  busy: boolean;
  control: boolean;
}

/** One /authorize. */
export interface Auth {
  tok: number;
  start: number;
  end: number;
  status: number;
  reason: string | null;
}

/** Everything a run recorded. */
export interface RunRecord {
  orgId: string;
  stacks: string[];
  writes: Write[];
  tokens: Tok[];
  policies: Pol[];
  auths: Auth[];
  runStart: number;
  runEnd: number;
  writesEnd: number;
  revokesEnd: number;
  /** Answers that no check expected, e.g. a 409 or a 400 to a valid write. */
  unexpected: { what: string; status: number; body: unknown }[];
  timedOut: boolean;
  workers: { admin: number; revoke: number; authorize: number };
}

const SCOPES_A = ["metrics:write"];
const SCOPES_B = ["metrics:write", "logs:read"];
const FAR = "2099-01-01T00:00:00.000Z";
const REQUEST_TIMEOUT_MS = 15_000;
/**
 * A victim is revoked once /authorize allowed it twice, the first time at least this long ago: long
 * enough, with a short ISOLATE_CACHE_SECONDS, for its isolate-cache entry to expire and come from KV.
 */
const MIN_USE_MS = 1500;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const other = (scopes: string[]) => (scopes.length === 1 ? SCOPES_B : SCOPES_A);

/** A set with O(1) add, delete and random pick. */
class Bag<T> {
  private readonly items: T[] = [];
  private readonly index = new Map<T, number>();
  get size(): number {
    return this.items.length;
  }
  has(x: T): boolean {
    return this.index.has(x);
  }
  add(x: T): void {
    if (this.index.has(x)) return;
    this.index.set(x, this.items.length);
    this.items.push(x);
  }
  delete(x: T): void {
    const i = this.index.get(x);
    if (i === undefined) return;
    const last = this.items.pop()!;
    this.index.delete(x);
    if (last !== x) {
      this.items[i] = last;
      this.index.set(last, i);
    }
  }
  pick(random: () => number): T | undefined {
    return this.items.length === 0 ? undefined : this.items[Math.floor(random() * this.items.length)];
  }
}

/** What `perform` sends. */
interface WriteSpec {
  op: WriteOp;
  phase: Write["phase"];
  method: "POST" | "DELETE";
  path: string;
  payload?: Record<string, unknown>;
  targetId: string | null;
  retry: Retry;
  group?: number;
  mayBeGone?: boolean;
}

/** Runs the whole workload against `url` as the operator. */
export async function runWorkload(url: string, operatorToken: string, o: WorkloadOptions): Promise<RunRecord> {
  const random = prng(o.seed);
  const writes: Write[] = [];
  const tokens: Tok[] = [];
  const policies: Pol[] = [];
  const auths: Auth[] = [];
  const unexpected: RunRecord["unexpected"] = [];
  let writeNo = 0;
  let groupNo = 0;

  async function send(method: string, path: string, body: string | undefined, key: string | null, concurrent: boolean): Promise<Attempt> {
    const headers: Record<string, string> = { authorization: `Bearer ${operatorToken}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (key !== null) headers["x-request-id"] = key;
    const start = performance.now();
    try {
      const res = await fetch(url + path, { method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const answered = performance.now();
      const text = await res.text();
      let parsed: Record<string, unknown> | null;
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      } catch {
        parsed = { raw: text.slice(0, 200) };
      }
      const replayed = res.headers.get("idempotent-replayed") === "true";
      return { start, answered, end: performance.now(), status: res.status, replayed, concurrent, body: parsed };
    } catch (e) {
      const t = performance.now();
      return { start, answered: t, end: t, status: 0, replayed: false, concurrent, body: { error: String(e) } };
    }
  }

  /** The retry mode of a new write: keyed (`keyedShare`) and then retried one way or the other. */
  const retryMode = (): Retry => (random() >= o.keyedShare ? "none" : random() < 0.5 ? "sequential" : "concurrent");

  /** Sends one logical write, with its retries, and records it. */
  async function perform(s: WriteSpec): Promise<Write> {
    const n = ++writeNo;
    const keyed = s.retry === "sequential" || s.retry === "concurrent";
    const p = s.payload;
    const w: Write = {
      n,
      op: s.op,
      phase: s.phase,
      targetId: s.targetId,
      key: keyed ? `reliability-${o.seed}-${n}` : null,
      retry: s.retry,
      group: s.group ?? ++groupNo,
      mayBeGone: s.mayBeGone ?? false,
      attempts: [],
      ackedAt: null,
      sent: {
        ...(typeof p?.displayName === "string" ? { displayName: p.displayName } : {}),
        ...(Array.isArray(p?.scopes) ? { scopes: p.scopes as string[] } : {}),
        ...(p !== undefined && "expiresAt" in p ? { expiresAt: p.expiresAt as string | null } : {}),
      },
    };
    writes.push(w);
    const body = p === undefined ? undefined : JSON.stringify(p);
    const go = async (concurrent: boolean) => w.attempts.push(await send(s.method, s.path, body, w.key, concurrent));
    if (s.retry === "concurrent" || s.retry === "naive") await Promise.all([go(true), go(true)]);
    if (s.retry === "concurrent") await go(false);
    if (s.retry === "none" || s.retry === "sequential") await go(false);
    if (s.retry === "sequential") for (let i = 0, k = 1 + Math.floor(random() * 2); i < k; i++) await go(false);
    for (const a of w.attempts) {
      if (a.status >= 200 && a.status < 300) {
        if (w.ackedAt === null || a.answered < w.ackedAt) w.ackedAt = a.answered;
        if (w.targetId === null && typeof a.body?.id === "string") w.targetId = a.body.id;
      } else if (!(a.status === 404 && w.mayBeGone) && !(a.status === 409 && w.phase === "contention" && a.body?.code === "conflict")) {
        // A 409 conflict is the right answer to one of two updates of one object sent at once:
        // optimistic concurrency refuses the write that read a stale version, and it wrote nothing.
        unexpected.push({ what: `${s.op} #${n} (${s.method} ${s.path})`, status: a.status, body: a.body });
      }
    }
    if (s.retry === "naive" && w.ackedAt === null) unexpected.push({ what: `${s.op} #${n}: neither of two DELETEs succeeded`, status: 0, body: null });
    return w;
  }

  const ipOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

  function addToken(w: Write, role: Tok["role"], pol: Pol, stackId = pol.stackId): Tok | null {
    const withSecret = w.attempts.find((a) => a.status === 200 && typeof a.body?.token === "string");
    if (w.targetId === null || !withSecret) return null;
    const t: Tok = {
      idx: tokens.length,
      id: w.targetId,
      secret: withSecret.body!.token as string,
      stackId,
      ip: ipOf(tokens.length + 1),
      role,
      policyId: pol.id,
      expiresAt: null,
      allows: 0,
      tries: 0,
      firstAllowAt: null,
      busy: false,
      revoke: null,
      revokeSentAt: null,
      revokedAt: null,
    };
    tokens.push(t);
    return t;
  }

  // --- Setup: one org, its stacks, a control policy on the whole org and never-revoked control tokens.
  const setup = (op: WriteOp, path: string, payload: Record<string, unknown>) =>
    perform({ op, phase: "setup", method: "POST", path, payload, targetId: null, retry: "none" });
  const org = await setup("org.create", "/api/v1/orgs", { name: `reliability-${o.seed}-${Date.now().toString(36)}` });
  if (org.targetId === null) throw new Error(`setup: creating the org failed: ${JSON.stringify(org.attempts[0]?.body)}`);
  const orgId = org.targetId;
  const q = `?orgId=${orgId}`;
  const stacks: string[] = [];
  for (let i = 0; i < o.stacks; i++) {
    const s = await setup("stack.create", "/api/v1/stacks", { orgId, name: `stack-${i}` });
    if (s.targetId === null) throw new Error("setup: creating a stack failed");
    stacks.push(s.targetId);
  }
  const orgRealm = { type: "org", identifier: orgId, labelPolicies: [] };
  const controlPolicy = await setup("accesspolicy.create", `/api/v1/accesspolicies${q}`, { name: "control", displayName: "control", scopes: SCOPES_A, realms: [orgRealm] });
  if (controlPolicy.targetId === null) throw new Error("setup: creating the control policy failed");
  const control: Pol = { id: controlPolicy.targetId, stackId: stacks[0]!, scopes: SCOPES_A, busy: false, control: true };
  policies.push(control);
  const bags = {
    control: new Bag<Tok>(),
    warming: new Bag<Tok>(),
    live: new Bag<Tok>(),
    plain: new Bag<Tok>(),
    ready: new Bag<Tok>(),
    revoking: new Bag<Tok>(),
    revoked: new Bag<Tok>(),
  };
  for (let i = 0; i < o.controlTokens; i++) {
    const w = await setup("token.create", `/api/v1/tokens${q}`, { accessPolicyId: control.id, name: `control-${i}` });
    const t = addToken(w, "control", control, stacks[i % stacks.length]!);
    if (!t) throw new Error("setup: creating a control token failed");
    bags.control.add(t);
  }

  // --- The plan of logical writes: a few policies first, then a shuffled mix. A pair ("pu2", "tu2")
  // is two partial updates of different fields of one object, sent at once: two writes.
  const policyCreates = Math.max(8, Math.round(o.writes * 0.075));
  const victimCreates = o.revocations;
  const tokenUpdates = Math.round(o.writes * 0.1);
  const plainCreates = Math.max(1, Math.round(o.writes * 0.175));
  const policyUpdates = o.writes - policyCreates - victimCreates - tokenUpdates - plainCreates;
  if (policyUpdates < 0) throw new Error(`RELIABILITY_WRITES (${o.writes}) must be at least ~1.4 × RELIABILITY_REVOCATIONS (${o.revocations})`);
  const policyPairs = Math.floor((policyUpdates * o.contention) / 2);
  const tokenPairs = Math.floor((tokenUpdates * o.contention) / 2);
  type Planned = "pc" | "pu" | "pu2" | "vc" | "tc" | "tu" | "tu2";
  const many = <T>(k: number, x: T): T[] => Array.from({ length: k }, () => x);
  const queue: Planned[] = [
    ...many<Planned>(8, "pc"),
    ...shuffle(
      [
        ...many<Planned>(policyCreates - 8, "pc"),
        ...many<Planned>(policyUpdates - 2 * policyPairs, "pu"),
        ...many<Planned>(policyPairs, "pu2"),
        ...many<Planned>(victimCreates, "vc"),
        ...many<Planned>(plainCreates, "tc"),
        ...many<Planned>(tokenUpdates - 2 * tokenPairs, "tu"),
        ...many<Planned>(tokenPairs, "tu2"),
      ],
      random,
    ),
  ];
  // Revocations that meet another write: a naive duplicate DELETE, or a token update sent with the DELETE.
  const naiveDeletes = Math.round(o.revocations * o.contention * 0.5);
  const racingUpdates = Math.round(o.revocations * o.contention * 0.5);
  type Revocation = "naive" | "race" | "plain";
  const revocationPlan = shuffle(
    [...many<Revocation>(naiveDeletes, "naive"), ...many<Revocation>(racingUpdates, "race"), ...many<Revocation>(o.revocations - naiveDeletes - racingUpdates, "plain")],
    random,
  );

  const workers = {
    admin: Math.max(1, Math.round(o.concurrency / 4)),
    revoke: Math.max(1, Math.round(o.concurrency / 8)),
    authorize: 0,
  };
  workers.authorize = Math.max(1, o.concurrency - workers.admin - workers.revoke);

  const deadline = performance.now() + o.deadlineMs;
  let timedOut = false;
  const pastDeadline = () => {
    if (performance.now() > deadline) timedOut = true;
    return timedOut;
  };
  let writesEnd = 0;
  let revokesEnd = 0;
  let writesDone = false;
  let revokesDone = false;
  let revocationsStarted = 0;
  let lastRevokeAck = 0;
  let inFlightVictimCreates = 0;
  const probes: Tok[] = [];

  // --- Admin writers.
  const pickFrom = <T>(xs: T[]) => (xs.length === 0 ? undefined : xs[Math.floor(random() * xs.length)]);
  const freePolicy = () => pickFrom(policies.filter((p) => !p.control && !p.busy));
  const anyPolicy = () => pickFrom(policies.filter((p) => !p.control));
  const freePlain = () => {
    for (let i = 0; i < 8; i++) {
      const t = bags.plain.pick(random);
      if (t && !t.busy) return t;
    }
    return undefined;
  };

  async function runOne(kind: Planned): Promise<boolean> {
    switch (kind) {
      case "pc": {
        const onStack = random() < 0.5;
        const stackId = stacks[Math.floor(random() * stacks.length)]!;
        const n = writeNo + 1;
        const realm = onStack ? { type: "stack", identifier: stackId, labelPolicies: [] } : orgRealm;
        const scopes = random() < 0.5 ? SCOPES_A : SCOPES_B;
        const w = await perform({
          op: "accesspolicy.create",
          phase: "write",
          method: "POST",
          path: `/api/v1/accesspolicies${q}`,
          payload: { name: `policy-${n}`, displayName: `policy ${n}`, scopes, realms: [realm] },
          targetId: null,
          retry: retryMode(),
        });
        if (w.ackedAt !== null && w.targetId !== null) policies.push({ id: w.targetId, stackId, scopes, busy: false, control: false });
        return true;
      }
      case "pu":
      case "pu2": {
        const p = freePolicy();
        if (!p) return false;
        p.busy = true;
        try {
          const path = `/api/v1/accesspolicies/${p.id}${q}`;
          const scopes = other(p.scopes);
          const spec = { op: "accesspolicy.update", phase: "write", method: "POST", path, targetId: p.id, group: ++groupNo } as const;
          let scoped: Write;
          if (kind === "pu") {
            scoped = await perform({ ...spec, payload: { displayName: `update ${writeNo + 1}`, scopes }, retry: retryMode() });
          } else {
            [, scoped] = await Promise.all([
              perform({ ...spec, phase: "contention", payload: { displayName: `update ${writeNo + 1}` }, retry: "none" }),
              perform({ ...spec, phase: "contention", payload: { scopes }, retry: "none" }),
            ]);
          }
          // Track the scopes only when the update was acknowledged: after a 409 the policy keeps its
          // scopes, and the next "change" would otherwise resend them, a no-op that writes nothing.
          if (scoped.ackedAt !== null) p.scopes = scopes;
        } finally {
          p.busy = false;
        }
        return true;
      }
      case "vc":
      case "tc": {
        const p = anyPolicy();
        if (!p) return false;
        const n = writeNo + 1;
        if (kind === "vc") inFlightVictimCreates++;
        try {
          const w = await perform({
            op: "token.create",
            phase: "write",
            method: "POST",
            path: `/api/v1/tokens${q}`,
            payload: { accessPolicyId: p.id, name: `${kind === "vc" ? "victim" : "plain"}-${n}` },
            targetId: null,
            retry: retryMode(),
          });
          const t = addToken(w, kind === "vc" ? "victim" : "plain", p);
          if (t && kind === "vc") {
            bags.warming.add(t);
            bags.live.add(t);
          } else if (t) bags.plain.add(t);
        } finally {
          if (kind === "vc") inFlightVictimCreates--;
        }
        return true;
      }
      case "tu":
      case "tu2": {
        const t = freePlain();
        if (!t) return false;
        t.busy = true;
        try {
          const path = `/api/v1/tokens/${t.id}${q}`;
          const expiresAt = t.expiresAt === null ? FAR : null;
          const spec = { op: "token.update", phase: "write", method: "POST", path, targetId: t.id, group: ++groupNo } as const;
          let expiring: Write;
          if (kind === "tu") {
            expiring = await perform({ ...spec, payload: { displayName: `update ${writeNo + 1}`, expiresAt }, retry: retryMode() });
          } else {
            [, expiring] = await Promise.all([
              perform({ ...spec, phase: "contention", payload: { displayName: `update ${writeNo + 1}` }, retry: "none" }),
              perform({ ...spec, phase: "contention", payload: { expiresAt }, retry: "none" }),
            ]);
          }
          // As for policy scopes: only an acknowledged change moves the model.
          if (expiring.ackedAt !== null) t.expiresAt = expiresAt;
        } finally {
          t.busy = false;
        }
        return true;
      }
    }
  }

  let inFlightWrites = 0;
  async function adminWorker(): Promise<void> {
    while (!pastDeadline()) {
      let took = -1;
      for (let i = 0; i < Math.min(queue.length, 64); i++) {
        const kind = queue[i]!;
        const ready =
          kind === "pc" ||
          ((kind === "vc" || kind === "tc") && policies.length > 1) ||
          ((kind === "pu" || kind === "pu2") && policies.some((p) => !p.control && !p.busy)) ||
          ((kind === "tu" || kind === "tu2") && bags.plain.size > 0);
        if (ready) {
          took = i;
          break;
        }
      }
      if (took < 0) {
        if (queue.length === 0) return;
        if (inFlightWrites === 0 && queue.every((k) => k === "tu" || k === "tu2") && bags.plain.size === 0) {
          for (const k of queue.splice(0)) unexpected.push({ what: `planned write ${k} never became possible`, status: 0, body: null });
          return;
        }
        await sleep(2);
        continue;
      }
      const [kind] = queue.splice(took, 1);
      inFlightWrites++;
      try {
        if (!(await runOne(kind!))) queue.push(kind!);
      } finally {
        inFlightWrites--;
      }
    }
  }

  // --- Revokers: DELETE victims that /authorize has allowed at least twice, the first time at least
  // MIN_USE_MS ago (so they sit in the caches, and have been refilled from KV when the cache is short).
  function pickReady(): Tok | undefined {
    const now = performance.now();
    for (let i = 0; i < 8; i++) {
      const t = bags.ready.pick(random);
      if (t && (t.firstAllowAt === null || now - t.firstAllowAt >= MIN_USE_MS)) return t;
    }
    return undefined;
  }

  async function revokeWorker(): Promise<void> {
    while (!pastDeadline()) {
      if (revocationsStarted >= o.revocations) return;
      const t = pickReady();
      if (!t) {
        if (writesDone && inFlightVictimCreates === 0 && bags.ready.size === 0 && bags.warming.size === 0) return;
        await sleep(2);
        continue;
      }
      const how = revocationPlan[revocationsStarted++] ?? "plain";
      bags.ready.delete(t);
      bags.live.delete(t);
      bags.revoking.add(t);
      t.revokeSentAt = performance.now();
      probes.push(t, t, t); // three probes race the DELETE itself
      const path = `/api/v1/tokens/${t.id}${q}`;
      const group = ++groupNo;
      const del = perform({
        op: "token.delete",
        phase: how === "plain" ? "revoke" : "contention",
        method: "DELETE",
        path,
        targetId: t.id,
        group,
        retry: how === "naive" ? "naive" : retryMode(),
        mayBeGone: how === "naive",
      });
      const racing =
        how === "race"
          ? perform({ op: "token.update", phase: "contention", method: "POST", path, payload: { displayName: `racing ${writeNo + 1}` }, targetId: t.id, group, retry: "none", mayBeGone: true })
          : null;
      const [w] = await Promise.all([del, racing]);
      t.revoke = w;
      t.revokedAt = w.ackedAt;
      bags.revoking.delete(t);
      bags.revoked.add(t);
      if (w.ackedAt !== null) lastRevokeAck = Math.max(lastRevokeAck, w.ackedAt);
      probes.push(t, t); // and two start right after its acknowledgement
    }
  }

  // --- Authorizers.
  function pickToken(): Tok | undefined {
    const r = random();
    if (probes.length > 0 && r < 0.5) return probes.shift();
    if (bags.warming.size > 0 && r < 0.75) return bags.warming.pick(random);
    const s = random();
    if (s < 0.1 && bags.revoking.size > 0) return bags.revoking.pick(random);
    if (s < 0.3) return bags.control.pick(random);
    if (s < 0.6 && bags.live.size > 0) return bags.live.pick(random);
    if (s < 0.8 && bags.plain.size > 0) return bags.plain.pick(random);
    if (bags.revoked.size > 0) return bags.revoked.pick(random);
    return bags.control.pick(random);
  }

  async function authorizeOnce(t: Tok): Promise<void> {
    const headers = {
      authorization: `Basic ${Buffer.from(`${t.stackId}:${t.secret}`).toString("base64")}`,
      "x-keycard-scope": "metrics:write",
      "cf-connecting-ip": t.ip,
    };
    const start = performance.now();
    let status: number;
    let reason: string | null;
    try {
      const res = await fetch(`${url}/authorize`, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      status = res.status;
      reason = res.headers.get("x-keycard-reason");
      await res.arrayBuffer();
    } catch (e) {
      status = 0;
      reason = String(e);
    }
    auths.push({ tok: t.idx, start, end: performance.now(), status, reason });
    t.tries++;
    if (status === 200) {
      t.allows++;
      t.firstAllowAt ??= start;
      if (t.revokedAt !== null && start > t.revokedAt) probes.push(t); // allowed after its revocation: try again until refused
    }
    if (t.role === "victim" && bags.warming.has(t) && t.revokeSentAt === null && (t.allows >= 2 || t.tries >= 20)) {
      bags.warming.delete(t);
      bags.ready.add(t);
    }
  }

  async function authorizeWorker(): Promise<void> {
    while (!pastDeadline()) {
      const finished = writesDone && revokesDone && probes.length === 0 && performance.now() >= lastRevokeAck + o.tailMs;
      if (finished) return;
      const t = pickToken();
      if (!t) {
        await sleep(1);
        continue;
      }
      await authorizeOnce(t);
    }
  }

  const runStart = performance.now();
  const admin = Promise.all(Array.from({ length: workers.admin }, adminWorker)).then(() => {
    writesDone = true;
    writesEnd = performance.now();
  });
  const revoke = Promise.all(Array.from({ length: workers.revoke }, revokeWorker)).then(() => {
    revokesDone = true;
    revokesEnd = performance.now();
  });
  await Promise.all([admin, revoke, ...Array.from({ length: workers.authorize }, authorizeWorker)]);
  const runEnd = performance.now();

  return { orgId, stacks, writes, tokens, policies, auths, runStart, runEnd, writesEnd, revokesEnd, unexpected, timedOut, workers };
}
