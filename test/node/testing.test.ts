/**
 * `keycard/testing` from plain Node (`node --test test/node/`): start Keycard in Miniflare, create a
 * policy and token in one call, authorize through the route map, verify the decision, stop.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { startKeycard, type Keycard } from "../../src/testing/index.ts";

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("keycard/testing", { timeout: 60_000 }, () => {
  let keycard: Keycard;
  before(async () => {
    keycard = await startKeycard({ vars: { KEYCARD_ROUTES: JSON.stringify([{ method: "POST", path: "/mine/ingest", scopes: ["logs:write"] }]) } });
  });
  after(() => keycard?.stop());

  it("serves on loopback, with a fresh operator token", async () => {
    assert.match(keycard.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(keycard.operatorToken, /^kc_[0-9A-Za-z]{38}$/);
    assert.equal((await fetch(`${keycard.url}/livez`)).status, 200);
    assert.equal((await fetch(`${keycard.url}/readyz`)).status, 200);
  });

  it("creates a policy and token in one call, and /authorize allows it with a verifiable decision", async () => {
    const { token, stackId, orgId } = await keycard.createPolicyAndToken({ scopes: ["set:alloy-data-write"], stack: true });
    const res = await fetch(`${keycard.url}/authorize`, {
      headers: { authorization: basic(stackId!, token), "x-original-method": "POST", "x-original-uri": "/api/v1/push" },
    });
    assert.equal(res.status, 200);
    const jwks = createRemoteJWKSet(new URL(`${keycard.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(res.headers.get("x-keycard-decision")!, jwks, { issuer: keycard.url, audience: "metrics", typ: "kc-decision+jwt" });
    assert.equal(payload.stack, stackId);
    assert.equal(payload.org, orgId);
  });

  it("applies operator routes and refuses what the policy lacks", async () => {
    const { token } = await keycard.createPolicyAndToken({ scopes: ["logs:write"] });
    const headers = (uri: string) => ({ authorization: `Bearer ${token}`, "x-original-method": "POST", "x-original-uri": uri });
    assert.equal((await fetch(`${keycard.url}/authorize`, { headers: headers("/mine/ingest") })).status, 200);
    const denied = await fetch(`${keycard.url}/authorize`, { headers: headers("/api/v1/push") });
    assert.equal(denied.status, 403);
    assert.equal(denied.headers.get("x-keycard-reason"), "scope_denied");
  });

  it("gives admin access as the operator", async () => {
    const { orgId } = await keycard.createPolicyAndToken({ scopes: ["metrics:read"], allowedSubnets: ["10.0.0.0/8"] });
    const list = await keycard.admin<{ items: unknown[] }>("GET", `/api/v1/accesspolicies?orgId=${orgId}`);
    assert.equal(list.items.length, 1);
  });
});

describe("keycard/testing lifecycle", { timeout: 60_000 }, () => {
  it("runs two isolated instances, and stop() closes the port", async () => {
    const [a, b] = await Promise.all([startKeycard(), startKeycard()]);
    try {
      assert.notEqual(a.url, b.url);
      const { orgId } = await a.createPolicyAndToken({ scopes: ["metrics:read"] });
      await assert.rejects(b.admin("GET", `/api/v1/accesspolicies?orgId=${orgId}`), /404/);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    await assert.rejects(fetch(`${a.url}/livez`));
  });
});
