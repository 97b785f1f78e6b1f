/**
 * The OpenAPI document and the /docs page: every route is documented, and every example in the document
 * is accepted by the live route (requests built from the examples, with real ids in place of the
 * placeholders) or, for response fields, matches what the live route answers.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { policy, token, world, type Json } from "./admin-helpers.ts";
import { call, newOrg, newStack, OPERATOR } from "./helpers.ts";

let doc: Json;
beforeAll(async () => {
  doc = await (await call("GET", "/openapi.json")).json();
});

const METHODS = ["get", "post", "put", "patch", "delete"];

describe("/openapi.json", () => {
  it("is OpenAPI 3.1 with the bearer scheme", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.bearer).toEqual({ type: "http", scheme: "bearer" });
  });

  it("documents every route the app registers (middleware aside)", () => {
    const routes = createApp()
      .routes.filter((r) => !(r.method === "ALL" && r.path.includes("*")))
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)/g, "{$1}") }));
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) {
      const item = doc.paths[r.path];
      expect(item, r.path).toBeDefined();
      if (r.method === "all") expect(METHODS.some((m) => item[m]), `any method of ${r.path}`).toBe(true);
      else expect(item[r.method], `${r.method} ${r.path}`).toBeDefined();
    }
  });

  it("registers the catalogue before /accesspolicies/{id}", () => {
    const paths = createApp().routes.map((r) => `${r.method} ${r.path}`);
    expect(paths.indexOf("GET /api/v1/accesspolicies/config")).toBeLessThan(paths.indexOf("GET /api/v1/accesspolicies/:id"));
  });
});

describe("every example in the document is accepted by the live route", () => {
  const resolve = (s: Json): Json => (s?.$ref ? doc.components.schemas[s.$ref.split("/").pop()] : s);

  /** Every schema node of the document that carries an example. */
  function exampleNodes(): Set<object> {
    const out = new Set<object>();
    const walk = (v: Json) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        if ("example" in v) out.add(v);
        Object.values(v).forEach(walk);
      }
    };
    walk(doc);
    return out;
  }

  /** Marks the example nodes of `schema` that `value` exercises (and checks the JSON type matches). */
  function exercise(schema: Json, value: unknown, seen: Set<object>): void {
    const s = resolve(schema);
    if (!s || value === undefined || value === null) return;
    if ("example" in s) {
      expect(typeof value, JSON.stringify(s.example)).toBe(typeof s.example);
      seen.add(s);
    }
    if (s.properties && typeof value === "object") {
      for (const [k, sub] of Object.entries(s.properties)) exercise(sub, (value as Json)[k], seen);
    }
    if (s.items && Array.isArray(value)) value.forEach((v) => exercise(s.items, v, seen));
    for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) exercise(alt, value, seen);
  }

  it("for bodies, parameters, headers and response fields", async () => {
    const { org, s1: stack } = await world();
    const p = await policy(org);
    const ids: Record<string, string> = { ORG_ID: org, STACK_ID: stack, POLICY_ID: p.id, TOKEN_ID: (await token(org, p.id)).id };
    const target = async (method: string, path: string): Promise<string> => {
      const kind = path.split("/")[3];
      if (method !== "delete") return { orgs: org, stacks: stack, accesspolicies: p.id, tokens: ids.TOKEN_ID! }[kind!]!;
      if (kind === "orgs") return newOrg();
      if (kind === "stacks") return newStack(org);
      const fresh = await policy(org);
      return kind === "tokens" ? (await token(org, fresh.id)).id : fresh.id;
    };
    const phase = (method: string, path: string) => (method === "get" ? 1 : method === "delete" ? 3 : path.includes("{id}") ? 2 : 0);
    const ops = Object.entries(doc.paths as Json)
      .filter(([path]) => path.startsWith("/api/"))
      .flatMap(([path, item]: [string, Json]) => METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m] })))
      .sort((a, b) => phase(a.method, a.path) - phase(b.method, b.path));

    const seen = new Set<object>();
    for (const { path, method, op } of ops) {
      const url = new URL(`http://x${path.replace("{id}", await target(method, path))}`);
      const headers: Record<string, string> = {};
      const params = (op.parameters ?? []) as Json[];
      for (const prm of params) {
        if (prm.in === "query" && prm.name === "orgId") url.searchParams.set("orgId", org);
        if (prm.schema?.example === undefined) continue;
        if (prm.in === "query") url.searchParams.set(prm.name, String(prm.schema.example));
        if (prm.in === "header") headers[prm.name] = String(prm.schema.example);
      }
      const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
      let body: unknown;
      if (bodySchema) {
        const text = JSON.stringify(resolve(bodySchema).example).replace(/"(ORG_ID|STACK_ID|POLICY_ID|TOKEN_ID)"/g, (_m, k) => JSON.stringify(ids[k]));
        body = JSON.parse(text);
      }
      const res = await call(method.toUpperCase(), `${url.pathname}${url.search}`, { token: OPERATOR, body, headers });
      const text = await res.text();
      expect(res.status, `${method} ${path}: ${text}`).toBeLessThan(300);
      for (const prm of params) if (prm.schema?.example !== undefined) seen.add(prm.schema);
      if (bodySchema) exercise(bodySchema, body, seen);
      const responseSchema = op.responses?.[String(res.status)]?.content?.["application/json"]?.schema;
      if (responseSchema && text) exercise(responseSchema, JSON.parse(text), seen);
    }
    const missed = [...exampleNodes()].filter((n) => !seen.has(n)).map((n) => JSON.stringify((n as Json).example));
    expect(missed).toEqual([]);
  });
});

describe("/docs", () => {
  it("is a self-contained HTML page with a strict CSP, naming every operation", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe");
    const html = await res.text();
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|@import|https?:\/\//i);
    const style = html.match(/<style>([\s\S]*?)<\/style>/)![1]!;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(style)));
    expect(csp).toContain(`style-src 'sha256-${btoa(String.fromCharCode(...digest))}'`);
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const m of METHODS.filter((x) => (item as Json)[x])) expect(html).toContain(`${m.toUpperCase()} ${path}`);
    }
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`id="schema-${name.replace(/[^A-Za-z0-9]+/g, "-")}"`);
  });
});
