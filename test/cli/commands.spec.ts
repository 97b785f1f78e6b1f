/** Each command against a fake Keycard: what it sends, what it prints, how it exits. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { json, keycard, page, refused, type Sent } from "./fake.ts";

const POLICY = {
  id: "p1",
  orgId: "o1",
  name: "alloy",
  displayName: "alloy",
  scopes: ["set:alloy-data-write"],
  realms: [{ type: "stack", identifier: "s1", labelPolicies: [] }],
  conditions: { allowedSubnets: ["10.0.0.0/8"] },
  status: "active",
  createdAt: "2026-11-23T17:00:00.000Z",
  updatedAt: "2026-11-23T17:00:00.000Z",
};
const TOKEN = {
  id: "t1",
  accessPolicyId: "p1",
  orgId: "o1",
  name: "alloy-eu-1",
  displayName: "alloy-eu-1",
  expiresAt: null,
  firstUsedAt: null,
  lastUsedAt: null,
  createdAt: "2026-11-23T17:00:00.000Z",
  updatedAt: "2026-11-23T17:00:00.000Z",
};
const SECRET = "kc_0123456789abcdefghijABCDEFGHIJ01abcdef";

const route = (sent: Sent) => `${sent.method} ${sent.url.pathname}${sent.url.search}`;

describe("admin commands", () => {
  it("policies create sends the body the API documents, with the org as ?orgId=", async () => {
    const r = await keycard(
      ["policies", "create", "--org", "o1", "--name", "alloy", "--scope", "set:alloy-data-write", "--realm", "stack:s1", "--subnet", "10.0.0.0/8", "--json"],
      { handler: () => json(POLICY) },
    );
    assert.equal(r.code, 0);
    assert.equal(route(r.sent[0]!), "POST /api/v1/accesspolicies?orgId=o1");
    assert.equal(r.sent[0]!.headers.get("authorization"), "Bearer kc_operator");
    assert.equal(r.sent[0]!.headers.get("content-type"), "application/json");
    assert.deepEqual(r.sent[0]!.body, {
      name: "alloy",
      scopes: ["set:alloy-data-write"],
      realms: [{ type: "stack", identifier: "s1", labelPolicies: [] }],
      conditions: { allowedSubnets: ["10.0.0.0/8"] },
    });
    assert.deepEqual(JSON.parse(r.stdout), POLICY);
  });

  it("policies get shows sets with their members", async () => {
    const r = await keycard(["policies", "get", "p1"], { handler: () => json(POLICY) });
    assert.equal(route(r.sent[0]!), "GET /api/v1/accesspolicies/p1");
    assert.match(r.stdout, /^scopes +set:alloy-data-write \(metrics:write logs:write/m);
    assert.match(r.stdout, /^subnets +10\.0\.0\.0\/8$/m);
  });

  it("policies update posts only the given fields to /{id}", async () => {
    const r = await keycard(["policies", "update", "p1", "--status", "inactive", "--org", "o1"], { handler: () => json({ ...POLICY, status: "inactive" }) });
    assert.equal(r.code, 0);
    assert.equal(route(r.sent[0]!), "POST /api/v1/accesspolicies/p1?orgId=o1");
    assert.deepEqual(r.sent[0]!.body, { status: "inactive" });
  });

  it("an update with nothing to change is a usage error, and sends nothing", async () => {
    const r = await keycard(["tokens", "update", "t1"]);
    assert.equal(r.code, 2);
    assert.equal(r.sent.length, 0);
    assert.match(r.stderr, /^keycard: nothing to update: pass --display-name or --expires; see 'keycard help tokens update'\n$/);
  });

  it("stacks create puts the org in the body; KEYCARD_ORG is the default --org", async () => {
    const r = await keycard(["stacks", "create", "--name", "prod-eu"], { env: { KEYCARD_ORG: "o9" }, handler: () => json({ id: "s1", orgId: "o9", name: "prod-eu" }) });
    assert.deepEqual(r.sent[0]!.body, { name: "prod-eu", orgId: "o9" });
  });

  it("tokens create prints the secret alone on stdout and warns on stderr", async () => {
    const r = await keycard(["tokens", "create", "--org", "o1", "--policy", "p1", "--name", "alloy-eu-1", "--expires", "30d"], {
      handler: () => json({ ...TOKEN, expiresAt: "2026-12-23T18:00:00.000Z", token: SECRET }),
    });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${SECRET}\n`);
    assert.match(r.stderr, /only time the secret is shown/);
    assert.ok(!r.stderr.includes(SECRET));
    assert.deepEqual(r.sent[0]!.body, { accessPolicyId: "p1", name: "alloy-eu-1", expiresAt: "2026-12-23T18:00:00.000Z" });
  });

  it("tokens list marks expired tokens and filters by policy", async () => {
    const expired = { ...TOKEN, id: "t2", name: "old", expiresAt: "2026-01-01T00:00:00.000Z" };
    const r = await keycard(["tokens", "list", "--org", "o1", "--policy", "p1"], { handler: () => json(page([TOKEN, expired])) });
    assert.equal(route(r.sent[0]!), "GET /api/v1/tokens?orgId=o1&accessPolicyId=p1");
    assert.match(r.stdout, /^ID +NAME +POLICY +EXPIRES +LAST USED$/m);
    assert.match(r.stdout, /^t1 +alloy-eu-1 +p1 +never +-$/m);
    assert.match(r.stdout, /^t2 +old +p1 +2026-01-01T00:00:00Z \(expired\) +-$/m);
  });

  it("lists one page by default and says how to get more", async () => {
    const r = await keycard(["orgs", "list"], { handler: () => json(page([{ id: "o1", name: "a", createdAt: "x" }], "/api/v1/orgs?pageCursor=c2&pageSize=1", 1)) });
    assert.equal(r.sent.length, 1);
    assert.match(r.stderr, /more orgs: add --all, or --page-cursor c2/);
  });

  it("--all follows the cursors and --json merges the pages", async () => {
    const pages: Record<string, unknown> = {
      "": page([{ id: "o1" }], "/api/v1/orgs?pageCursor=c2&pageSize=1", 1),
      c2: page([{ id: "o2" }], null, 1),
    };
    const r = await keycard(["orgs", "list", "--all", "--json", "--page-size", "1"], { handler: (s) => json(pages[s.url.searchParams.get("pageCursor") ?? ""]) });
    assert.deepEqual(r.sent.map(route), ["GET /api/v1/orgs?pageSize=1", "GET /api/v1/orgs?pageSize=1&pageCursor=c2"]);
    assert.deepEqual(JSON.parse(r.stdout).items, [{ id: "o1" }, { id: "o2" }]);
  });

  it("says so on stderr when a list is empty", async () => {
    const r = await keycard(["stacks", "list", "--org", "o1"], { handler: () => json(page([])) });
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, "no stacks\n");
  });

  it("works under a base URL with a path", async () => {
    const r = await keycard(["orgs", "get", "o1"], { env: { KEYCARD_URL: "https://edge.example/keycard" }, handler: () => json({ id: "o1" }) });
    assert.equal(r.sent[0]!.url.href, "https://edge.example/keycard/api/v1/orgs/o1");
  });
});

describe("delete", () => {
  it("needs --yes when there is no terminal to ask on", async () => {
    const r = await keycard(["policies", "delete", "p1"]);
    assert.equal(r.code, 2);
    assert.equal(r.sent.length, 0);
  });
  it("deletes with --yes", async () => {
    const r = await keycard(["tokens", "delete", "t1", "--yes", "--org", "o1"], { handler: () => new Response(null, { status: 204 }) });
    assert.equal(r.code, 0);
    assert.equal(route(r.sent[0]!), "DELETE /api/v1/tokens/t1?orgId=o1");
    assert.equal(r.stdout, "deleted token t1\n");
  });
  it("asks on a terminal, naming the object, and stops on no", async () => {
    let asked = "";
    const r = await keycard(["policies", "delete", "p1"], {
      handler: () => json(POLICY),
      confirm: async (q) => ((asked = q), false),
    });
    assert.equal(asked, "Delete access policy alloy (p1) and all its tokens?");
    assert.equal(r.code, 1);
    assert.deepEqual(r.sent.map((s) => s.method), ["GET"]);
  });
});

describe("authorize", () => {
  const claims = { iss: "https://keycard.test", aud: ["metrics"], sub: "t1", org: "o1", stack: "s1", scope: "metrics:write", pol: "p1", ip: "10.1.2.3", jti: "j", iat: 1795456800, nbf: 1795456800, exp: 1795456860 };

  it("sends what a gateway sends and explains an allow", async () => {
    const r = await keycard(["authorize", "--token", SECRET, "--scope", "metrics:write,logs:write", "--stack", "s1", "--ip", "10.1.2.3"], {
      handler: () => json({ allowed: true, decision: "jwt", claims }),
    });
    assert.equal(r.code, 0);
    const h = r.sent[0]!.headers;
    assert.equal(route(r.sent[0]!), "GET /authorize");
    assert.equal(h.get("authorization"), `Bearer ${SECRET}`);
    assert.equal(h.get("x-keycard-scope"), "metrics:write logs:write");
    assert.equal(h.get("x-keycard-stack"), "s1");
    assert.equal(h.get("cf-connecting-ip"), "10.1.2.3");
    assert.match(r.stdout, /^allowed \(200\) on stack s1$/m);
    assert.match(r.stdout, /^client IP +10\.1\.2\.3$/m);
  });

  it("sends basic auth as Alloy does with --basic", async () => {
    const r = await keycard(["authorize", "--token", SECRET, "--basic", "--stack", "s1", "--method", "POST", "--uri", "/api/prom/push"], {
      handler: () => json({ allowed: true, decision: "jwt", claims }),
    });
    const h = r.sent[0]!.headers;
    assert.equal(h.get("authorization"), `Basic ${btoa(`s1:${SECRET}`)}`);
    assert.equal(h.get("x-keycard-stack"), null);
    assert.equal(h.get("x-original-method"), "POST");
    assert.equal(h.get("x-original-uri"), "/api/prom/push");
  });

  it("reports --ip as a delegating gateway with --gateway-token", async () => {
    const r = await keycard(["authorize", "--token", SECRET, "--scope", "metrics:write", "--ip", "10.1.2.3", "--gateway-token", "kc_gateway"], {
      handler: () => json({ allowed: true, decision: "jwt", claims }),
    });
    const h = r.sent[0]!.headers;
    assert.equal(h.get("x-keycard-gateway-token"), "Bearer kc_gateway");
    assert.equal(h.get("x-keycard-client-ip"), "10.1.2.3");
    assert.equal(h.get("cf-connecting-ip"), null);
  });

  it("explains a 403 and exits 1", async () => {
    const r = await keycard(["authorize", "--scope", "metrics:read"], {
      handler: () => json({ code: "scope_denied", message: "the token's policy does not grant the requested scope" }, 403),
    });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^denied \(403 scope_denied\): the token's policy does not grant the requested scope\nhint: /);
  });

  it("exits 4 for a refused credential, and --json says why", async () => {
    const r = await keycard(["authorize", "--json"], { handler: () => json({ code: "invalid_token", message: "the token is not valid" }, 401) });
    assert.equal(r.code, 4);
    assert.deepEqual(JSON.parse(r.stdout), { allowed: false, status: 401, code: "invalid_token", message: "the token is not valid" });
  });

  it("tests KEYCARD_TOKEN when --token is absent, and refuses with none", async () => {
    const r = await keycard(["authorize", "--scope", "metrics:read"], { env: { KEYCARD_TOKEN: "" } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no token to test/);
  });
});

describe("bad input: one line, no stack trace", () => {
  const cases: [string, string[], Parameters<typeof keycard>[1], number, RegExp][] = [
    ["a bad flag", ["orgs", "list", "--jsno"], {}, 2, /^keycard: unknown flag --jsno for "orgs list" \(did you mean --json\?\); see 'keycard help orgs list'$/],
    ["a bad URL", ["orgs", "list", "--url", "keycard.example"], {}, 2, /^keycard: --url "keycard.example" is not a URL/],
    ["a bad KEYCARD_URL", ["orgs", "list"], { env: { KEYCARD_URL: "ftp://x" } }, 2, /^keycard: KEYCARD_URL "ftp:\/\/x" is not an http\(s\) URL/],
    ["an unreachable server", ["orgs", "list", "--url", "http://127.0.0.1:9"], { handler: refused }, 1, /^keycard: cannot reach Keycard at http:\/\/127\.0\.0\.1:9: connection refused \(is it running\? npm start\)$/],
    ["no token", ["orgs", "list"], { env: { KEYCARD_TOKEN: "" } }, 4, /^keycard: no token: set KEYCARD_TOKEN or pass --token/],
    ["a 401", ["orgs", "list"], { handler: () => json({ code: "unauthenticated", message: "send a valid token" }, 401) }, 4, /^keycard: 401 unauthenticated: send a valid token \(check KEYCARD_TOKEN or --token\)$/],
    ["a 404", ["orgs", "get", "x"], { handler: () => json({ code: "not_found", message: "org not found" }, 404) }, 1, /^keycard: 404 not_found: org not found$/],
    [
      "a 400 with details",
      ["stacks", "list"],
      { handler: () => json({ code: "validation_failed", message: "orgId: the operator token must name the org (?orgId=)", details: [{ path: "orgId", message: "the operator token must name the org (?orgId=)" }] }, 400) },
      1,
      /^keycard: 400 validation_failed: orgId \(--org\): the operator token must name the org \(\?orgId=\)$/,
    ],
    ["an answer that is not Keycard's", ["orgs", "list"], { handler: () => new Response("<html>bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } }) }, 1, /^keycard: 502 from https:\/\/keycard\.test\/api\/v1\/orgs: an answer that is not Keycard's \(text\/html\); check --url or KEYCARD_URL$/],
    ["a fetch that throws", ["orgs", "list"], { handler: () => { throw new RangeError("boom"); } }, 1, /^keycard: cannot reach Keycard at https:\/\/keycard\.test: boom$/],
  ];
  for (const [name, argv, options, code, line] of cases) {
    it(`reports ${name}`, async () => {
      const r = await keycard(argv, options);
      assert.equal(r.code, code);
      assert.equal(r.stderr.split("\n").filter(Boolean).length, 1, r.stderr);
      assert.match(r.stderr.trim(), line);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }

  it("reports a bug as an unexpected error, without a stack", async () => {
    const r = await keycard(["policies", "get", "p1"], { handler: () => json({ id: "p1" }) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^keycard: unexpected error: .+ \(run again with --debug for details\)\n$/);
  });

  it("warns once when a token would travel over plain http to another host", async () => {
    const r = await keycard(["orgs", "list", "--url", "http://keycard.example"], { handler: () => json(page([])) });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /^warning: sending a token over plain http to keycard\.example; use https$/m);
    const local = await keycard(["orgs", "list", "--url", "http://127.0.0.1:8787"], { handler: () => json(page([])) });
    assert.doesNotMatch(local.stderr, /warning/);
  });

  it("shows the stack and the requests with --debug, never the token", async () => {
    const r = await keycard(["orgs", "list", "--debug"], { handler: refused });
    assert.match(r.stderr, /^> GET https:\/\/keycard\.test\/api\/v1\/orgs$/m);
    assert.match(r.stderr, /\n\s+at /);
    assert.match(r.stderr, /caused by: Error: connect ECONNREFUSED/);
    assert.ok(!r.stderr.includes("kc_operator"));
  });

  it("prints help to stdout and exits 0", async () => {
    const r = await keycard(["tokens", "create", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: keycard tokens create --policy <id> --name <name> \[flags\]$/m);
    assert.equal(r.sent.length, 0);
  });
});
