/**
 * Concurrent admin writes on one object (docs/RELIABILITY.md, findings 1–3): updates and deletes are
 * optimistic, so no acknowledged update is lost, no update is acknowledged after its object's DELETE,
 * and every change has exactly one audit event.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { nextUpdatedAt, type AdminContext } from "../../src/services/admin/context.ts";
import { StaleWriteError, type Journal } from "../../src/services/ports.ts";
import { D1AdminStore } from "../../src/storage/d1-admin.ts";
import { orgRealm, type Json } from "./admin-helpers.ts";
import { call, newOrg, newStack, ok, OPERATOR, uniq } from "./helpers.ts";

const ROUNDS = 20;
let org: string;
let q: string;
beforeAll(async () => {
  org = await newOrg();
  q = `?orgId=${org}`;
});

async function send(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await call(method, path, { token: OPERATOR, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const newPolicy = async (): Promise<string> =>
  (await ok<{ id: string }>("POST", `/api/v1/accesspolicies${q}`, { body: { name: uniq("p"), scopes: ["metrics:write"], realms: orgRealm(org) } })).id;
const newToken = async (policyId: string): Promise<string> =>
  (await ok<{ id: string }>("POST", `/api/v1/tokens${q}`, { body: { accessPolicyId: policyId, name: uniq("t") } })).id;
const actions = async (targetId: string): Promise<string[]> =>
  (await env.DB.prepare("SELECT action FROM audit_events WHERE target_id = ? ORDER BY rowid").bind(targetId).all<{ action: string }>()).results.map(
    (r) => r.action,
  );
const noJournal: Journal = { events: [], replay: null };

describe("concurrent partial updates of one policy", () => {
  it("never both 200 with one change lost: both changes kept, or one is a 409 conflict that wrote nothing", async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const id = await newPolicy();
      const path = `/api/v1/accesspolicies/${id}${q}`;
      const [a, b] = await Promise.all([send("POST", path, { displayName: `renamed ${i}` }), send("POST", path, { scopes: ["metrics:write", "logs:read"] })]);
      expect([200, 409]).toContain(a.status);
      expect([200, 409]).toContain(b.status);
      const now = await ok<Json>("GET", path);
      if (a.status === 200) expect(now.displayName).toBe(`renamed ${i}`);
      if (b.status === 200) expect(now.scopes).toContain("logs:read");
      for (const r of [a, b].filter((x) => x.status === 409)) expect(r.body).toMatchObject({ code: "conflict" });
      const updates = (await actions(id)).filter((x) => x === "accesspolicy.update").length;
      expect(updates).toBe([a, b].filter((x) => x.status === 200).length);
    }
  });

  it("a write from a stale read is refused with 409 and leaves no audit event", async () => {
    const store = new D1AdminStore(env.DB);
    const id = await newPolicy();
    const read = (await store.getPolicy(id))!;
    await ok("POST", `/api/v1/accesspolicies/${id}${q}`, { body: { displayName: "first" } });
    const err = await store.updatePolicy({ ...read, displayName: "stale", updatedAt: new Date().toISOString() }, read.updatedAt, noJournal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleWriteError);
    expect((err as StaleWriteError).gone).toBe(false);
    expect((await store.getPolicy(id))!.displayName).toBe("first");
  });
});

describe("concurrent DELETEs of one token", () => {
  it("exactly one 204, the other 404, and exactly one token.delete event", async () => {
    const policyId = await newPolicy();
    for (let i = 0; i < ROUNDS; i++) {
      const id = await newToken(policyId);
      const statuses = await Promise.all([1, 2].map(() => send("DELETE", `/api/v1/tokens/${id}${q}`).then((r) => r.status)));
      expect(statuses.sort()).toEqual([204, 404]);
      expect((await actions(id)).filter((x) => x === "token.delete")).toHaveLength(1);
    }
  });
});

describe("a token update racing its DELETE", () => {
  it("is never answered 200 after the DELETE committed, nor journaled after it", async () => {
    const policyId = await newPolicy();
    for (let i = 0; i < ROUNDS; i++) {
      const id = await newToken(policyId);
      const path = `/api/v1/tokens/${id}${q}`;
      const [upd, del] = await Promise.all([send("POST", path, { displayName: `renamed ${i}` }), send("DELETE", path)]);
      expect(del.status).toBe(204);
      expect([200, 404]).toContain(upd.status);
      const log = await actions(id);
      expect(log.filter((x) => x === "token.delete")).toHaveLength(1);
      if (upd.status === 200) expect(log.indexOf("token.update")).toBeLessThan(log.indexOf("token.delete"));
      else expect(log).not.toContain("token.update");
    }
  });

  it("an update of a token deleted after it was read is a 404 for the store (gone)", async () => {
    const store = new D1AdminStore(env.DB);
    const id = await newToken(await newPolicy());
    const read = (await store.getToken(id))!;
    await ok("DELETE", `/api/v1/tokens/${id}${q}`, {}, 204);
    const err = await store.updateToken({ ...read, displayName: "late" }, read.updatedAt, noJournal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleWriteError);
    expect((err as StaleWriteError).gone).toBe(true);
    expect(await send("DELETE", `/api/v1/tokens/${id}${q}`)).toMatchObject({ status: 404 });
  });
});

describe("stacks and orgs", () => {
  it("updates from a stale read and deletes of a gone row write nothing", async () => {
    const store = new D1AdminStore(env.DB);
    const stackId = await newStack(org);
    const stack = (await store.getStack(stackId))!;
    await ok("POST", `/api/v1/stacks/${stackId}${q}`, { body: { name: uniq("renamed") } });
    await expect(store.updateStack({ ...stack, name: uniq("stale") }, stack.updatedAt, noJournal)).rejects.toBeInstanceOf(StaleWriteError);
    await ok("DELETE", `/api/v1/stacks/${stackId}${q}`, {}, 204);
    await expect(store.deleteStack(stackId, { rewrite: [], remove: [], readAt: {} }, noJournal)).rejects.toMatchObject({ gone: true });

    const other = await newOrg();
    const o = (await store.getOrg(other))!;
    await ok("POST", `/api/v1/orgs/${other}`, { body: { name: uniq("renamed") } });
    await expect(store.updateOrg({ ...o, name: uniq("stale") }, o.updatedAt, noJournal)).rejects.toMatchObject({ gone: false });
    await ok("DELETE", `/api/v1/orgs/${other}`, {}, 204);
    await expect(store.deleteOrg(other, noJournal)).rejects.toMatchObject({ gone: true });
  });
});

describe("updatedAt", () => {
  it("moves forward on every update, even within the read's millisecond", () => {
    const ctx = { now: "2026-01-01T00:00:00.000Z" } as AdminContext;
    expect(nextUpdatedAt(ctx, "2025-12-31T23:59:59.999Z")).toBe(ctx.now);
    expect(nextUpdatedAt(ctx, ctx.now)).toBe("2026-01-01T00:00:00.001Z");
    expect(nextUpdatedAt(ctx, "2026-01-01T00:00:00.005Z")).toBe("2026-01-01T00:00:00.006Z");
  });
});
