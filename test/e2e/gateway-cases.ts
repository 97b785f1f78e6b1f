/**
 * Requests the suite sends through a gateway itself: what must be refused there (and never reach the
 * origin), and what must arrive with Keycard's decision and nothing the client made up.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { expect, type Checks } from "./harness.ts";
import { basic, send, type Reply } from "./net.ts";
import type { Accepted, Origin } from "./origin.ts";
import type { World } from "./world.ts";

/** A gateway under test. */
export interface Gateway {
  name: "nginx" | "caddy";
  url: string;
}

/** What the cases need. */
export interface CaseContext {
  checks: Checks;
  origin: Origin;
  world: World;
  /** A real decision Keycard issued for another token, for replay attempts. */
  replayable: string;
}

/** One request through a gateway. Defaults: `POST /api/v1/push` from 127.0.0.1 with a small body. */
export interface Hit {
  headers?: Record<string, string>;
  method?: string;
  path?: string;
  body?: Buffer;
  from?: string;
}

/** Headers a client might use to choose its own IP. Every value is one some test policy allows. */
export function spoofedIpHeaders(ip: string): Record<string, string> {
  return { "CF-Connecting-IP": ip, "X-Forwarded-For": ip, "X-Real-IP": ip, "True-Client-IP": ip, "X-Keycard-Client-IP": ip };
}

/** Sends one request, marked so the origin's records can be matched to it. */
export async function hit(g: Gateway, h: Hit): Promise<{ reply: Reply; probe: string }> {
  const probe = randomUUID();
  const method = h.method ?? "POST";
  const reply = await send(`${g.url}${h.path ?? "/api/v1/push"}`, {
    method,
    headers: { "content-type": "application/x-protobuf", "x-e2e-probe": probe, ...h.headers },
    body: method === "GET" ? undefined : (h.body ?? randomBytes(64)),
    from: h.from,
  });
  return { reply, probe };
}

function reached(origin: Origin, probe: string): boolean {
  return origin.accepted.some((a) => a.probe === probe) || origin.rejected.some((r) => r.probe === probe);
}

/** Asserts a refusal at the gateway: status, Keycard's reason, and no trace at the origin. */
export async function expectRefused(ctx: CaseContext, g: Gateway, h: Hit, status: 401 | 403, reason: string): Promise<void> {
  const { reply, probe } = await hit(g, h);
  expect(reply.status === status, `status ${reply.status}, wanted ${status} (reason ${reply.headers["x-keycard-reason"] ?? "none"})`);
  expect(reply.headers["x-keycard-reason"] === reason, `X-Keycard-Reason ${reply.headers["x-keycard-reason"] ?? "(none)"}, wanted ${reason}`);
  if (status === 401) expect(/^Bearer /.test(reply.headers["www-authenticate"] ?? ""), "401 without WWW-Authenticate: Bearer");
  expect(!reached(ctx.origin, probe), "the refused request reached the origin");
}

/** Asserts an allowed request and returns what the origin recorded for it. */
export async function expectDelivered(ctx: CaseContext, g: Gateway, h: Hit): Promise<Accepted> {
  const { reply, probe } = await hit(g, h);
  expect(reply.status === 200, `status ${reply.status} (reason ${reply.headers["x-keycard-reason"] ?? "none"}): ${reply.body.slice(0, 200)}`);
  const got = ctx.origin.accepted.find((a) => a.probe === probe);
  expect(got, "the origin has no verified record of the request");
  expect(got.headers["authorization"] === undefined, "the origin received the client's Authorization header");
  return got;
}

/** Every case, for one gateway. */
export async function gatewayCases(ctx: CaseContext, g: Gateway): Promise<void> {
  const { checks, world: w } = ctx;
  const c = (name: string, fn: () => Promise<unknown>) => checks.check(`${g.name}: ${name}`, fn);
  const probe = basic(w.stack, w.probe.secret);

  // Credentials and realms.
  await c("no credential → 401 missing_credential, WWW-Authenticate, origin untouched", () => expectRefused(ctx, g, {}, 401, "missing_credential"));
  await c("malformed token → 401 invalid_token", () =>
    expectRefused(ctx, g, { headers: { authorization: "Bearer kc_not-a-token" } }, 401, "invalid_token"),
  );
  await c("wrong token (well-formed, never issued) → 401 invalid_token", () =>
    expectRefused(ctx, g, { headers: { authorization: basic(w.stack, w.unknown) } }, 401, "invalid_token"),
  );
  await c("wrong stack (another org's) → 403 realm_denied", () =>
    expectRefused(ctx, g, { headers: { authorization: basic(w.foreignStack, w.probe.secret) } }, 403, "realm_denied"),
  );
  await c("wrong stack (same org, outside the policy's realms) → 403 realm_denied", () =>
    expectRefused(ctx, g, { headers: { authorization: basic(w.uncoveredStack, w.probe.secret) } }, 403, "realm_denied"),
  );
  await c("a replayed real decision without a credential → 401, origin untouched", () =>
    expectRefused(ctx, g, { headers: { "x-keycard-decision": ctx.replayable } }, 401, "missing_credential"),
  );

  // Client IP.
  await c("client IP outside allowedSubnets (10.0.0.0/8) → 403 ip_not_allowed", () =>
    expectRefused(ctx, g, { headers: { authorization: basic(w.stack, w.office.secret) } }, 403, "ip_not_allowed"),
  );
  await c("client-chosen IP headers (CF-Connecting-IP, X-Forwarded-For, X-Real-IP, True-Client-IP, X-Keycard-Client-IP) do not help", () =>
    expectRefused(ctx, g, { headers: { authorization: basic(w.stack, w.office.secret), ...spoofedIpHeaders("10.1.2.3") } }, 403, "ip_not_allowed"),
  );
  await c("delegation: a policy allowing only 127.0.0.2/32 admits a client connecting from 127.0.0.2", async () => {
    const got = await expectDelivered(ctx, g, { headers: { authorization: basic(w.stack, w.pinned.secret) }, from: "127.0.0.2" });
    expect(got.claims.ip === "127.0.0.2", `decision ip ${got.claims.ip}, wanted 127.0.0.2`);
  });
  await c("delegation: the same token from 127.0.0.3 → 403 ip_not_allowed, whatever IP headers the client sends", async () => {
    await expectRefused(ctx, g, { headers: { authorization: basic(w.stack, w.pinned.secret) }, from: "127.0.0.3" }, 403, "ip_not_allowed");
    const spoof = { authorization: basic(w.stack, w.pinned.secret), ...spoofedIpHeaders("127.0.0.2"), "X-Keycard-Gateway-Token": w.gateway.secret };
    await expectRefused(ctx, g, { headers: spoof, from: "127.0.0.3" }, 403, "ip_not_allowed");
  });

  // Route map.
  await c("route map: a query (GET /prometheus/api/v1/query) with a write-only token → 403 scope_denied", () =>
    expectRefused(ctx, g, { method: "GET", path: "/prometheus/api/v1/query?query=up", headers: { authorization: probe } }, 403, "scope_denied"),
  );
  await c("route map: the client's own X-Keycard-Scope, X-Original-URI or X-Forwarded-Uri cannot make a query a write", () =>
    expectRefused(
      ctx,
      g,
      {
        method: "GET",
        path: "/prometheus/api/v1/query?query=up",
        headers: {
          authorization: probe,
          "x-keycard-scope": "metrics:write",
          "x-original-uri": "/api/v1/push",
          "x-original-method": "POST",
          "x-forwarded-uri": "/api/v1/push",
          "x-forwarded-method": "POST",
        },
      },
      403,
      "scope_denied",
    ),
  );
  await c("route map: an unmapped path → 403 route_unmapped", () =>
    expectRefused(ctx, g, { path: "/not/a/known/api", headers: { authorization: probe } }, 403, "route_unmapped"),
  );
  // Keycard ignores the query (long PromQL GETs are legitimate) and bounds the path at 8 KiB.
  await c("an absurdly long path (12 KiB) with a valid token → a 4xx at the gateway, never a 500, never at the origin", async () => {
    const { reply, probe: marker } = await hit(g, { path: `/api/v1/push/${"a".repeat(12 * 1024)}`, headers: { authorization: probe } });
    expect(reply.status >= 400 && reply.status < 500, `status ${reply.status} (reason ${reply.headers["x-keycard-reason"] ?? "none"})`);
    expect(!reached(ctx.origin, marker), "the request reached the origin");
  });
  await c("Fleet Management: RegisterCollector with set:alloy-data-write arrives with a fleet-management:read decision", async () => {
    const got = await expectDelivered(ctx, g, {
      path: "/collector.v1.CollectorService/RegisterCollector",
      headers: { authorization: basic(w.stack, w.alloy.secret), "content-type": "application/json" },
      body: Buffer.from('{"id":"e2e-collector"}'),
    });
    expect(got.claims.sub === w.alloy.id, "decision for the wrong token");
  });

  // What arrives.
  await c("basic auth: body intact, Keycard's decision replaces the client's, tenant = the stack, no Authorization", async () => {
    const body = randomBytes(32 * 1024);
    const got = await expectDelivered(ctx, g, {
      headers: { authorization: probe, "x-keycard-decision": ctx.replayable, "x-scope-orgid": w.foreignStack },
      body,
    });
    expect(got.decision !== ctx.replayable, "the origin received the client's own X-Keycard-Decision");
    expect(got.claims.sub === w.probe.id, `decision sub ${got.claims.sub}, wanted the probe token ${w.probe.id}`);
    expect(got.claims.stack === w.stack && got.claims.org === w.org, "decision names the wrong stack or org");
    expect(got.claims.ip === "127.0.0.1", `decision ip ${got.claims.ip}, wanted the client's 127.0.0.1`);
    expect(got.headers["x-scope-orgid"] === w.stack, `X-Scope-OrgID ${String(got.headers["x-scope-orgid"])}, wanted the authorized stack`);
    expect(got.bodySha256 === createHash("sha256").update(body).digest("hex"), `body changed on the way (${got.bodyBytes} bytes arrived)`);
  });
  await c("bearer token + X-Keycard-Stack: delivered with a decision for that stack", async () => {
    const got = await expectDelivered(ctx, g, { headers: { authorization: `Bearer ${w.probe.secret}`, "x-keycard-stack": w.stack } });
    expect(got.claims.sub === w.probe.id && got.claims.stack === w.stack, "decision names the wrong token or stack");
  });
}
