/**
 * The request bodies the Grafana Terraform provider sends for `grafana_cloud_access_policy` and
 * `grafana_cloud_access_policy_token` (built from the provider's public source and docs: the gcom
 * client's `PostAccessPoliciesRequest`, `PostAccessPolicyRequest`, `PostTokensRequest`,
 * `PostTokenRequest`), replayed against Keycard unchanged with an org admin token, and the fields the
 * provider reads back.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_SCOPES, as, tokenWith, world, type Json } from "./admin-helpers.ts";
import { call } from "./helpers.ts";

/** Go's `time.Parse(time.RFC3339, …)` accepts these. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const REGION = "prod-us-east-0";

let org: string, stack: string, tf: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Json; res: Response }>;
beforeAll(async () => {
  ({ org, s1: stack } = await world());
  const admin = await tokenWith(org, [...ADMIN_SCOPES, "metrics:read", "metrics:write", "logs:read", "logs:write", "traces:write"]);
  tf = (method, path, body) => as(admin.secret, method, path, { body, headers: { "x-request-id": `tf-${crypto.randomUUID()}`, "user-agent": "Terraform/1.9.0 terraform-provider-grafana/v3" } });
});

/** What `readCloudAccessPolicy` sets from the response. */
function expectPolicyRead(p: Json): void {
  expect(p.id).toEqual(expect.any(String));
  expect(p.name).toEqual(expect.any(String));
  expect(p.displayName).toEqual(expect.any(String));
  expect(p.scopes).toEqual(expect.any(Array));
  for (const r of p.realms) {
    expect(r).toEqual({ type: expect.stringMatching(/^(org|stack)$/), identifier: expect.any(String), labelPolicies: expect.any(Array) });
    for (const lp of r.labelPolicies) expect(lp.selector).toEqual(expect.any(String));
  }
  expect(p.conditions.allowedSubnets).toEqual(expect.any(Array));
  expect(p.createdAt).toMatch(RFC3339);
  expect(p.updatedAt).toMatch(RFC3339);
}

/** What `readCloudAccessPolicyToken` sets from the response. */
function expectTokenRead(t: Json): void {
  for (const field of ["id", "accessPolicyId", "name", "displayName"]) expect(t[field]).toEqual(expect.any(String));
  expect(t.createdAt).toMatch(RFC3339);
  expect(t.updatedAt).toMatch(RFC3339);
  if (t.expiresAt !== null) expect(t.expiresAt).toMatch(RFC3339);
}

describe("grafana_cloud_access_policy", () => {
  const bodies: [string, () => Json][] = [
    [
      "the registry example: org realm with a label policy, no conditions block",
      () => ({
        name: "my-policy",
        displayName: "My Policy",
        scopes: ["metrics:read", "logs:read"],
        realms: [{ type: "org", identifier: org, labelPolicies: [{ selector: '{namespace="default"}' }] }],
        conditions: {},
      }),
    ],
    [
      "a stack realm without label policies (omitted, as Go's omitempty drops them), display_name unset",
      () => ({ name: "stack-integration", displayName: "stack-integration", scopes: ["metrics:write", "logs:write", "traces:write"], realms: [{ type: "stack", identifier: stack }], conditions: {} }),
    ],
    [
      "a conditions block with allowed_subnets",
      () => ({
        name: "with-subnets",
        displayName: "With subnets",
        scopes: ["metrics:write"],
        realms: [{ type: "stack", identifier: stack, labelPolicies: [] }],
        conditions: { allowedSubnets: ["10.0.0.0/8", "2001:db8::/32"] },
      }),
    ],
    [
      "an older provider's body without conditions",
      () => ({ name: "legacy", displayName: "Legacy", scopes: ["metrics:read"], realms: [{ type: "org", identifier: org, labelPolicies: [] }] }),
    ],
  ];

  it.each(bodies)("create → read → update → read → delete: %s", async (_n, make) => {
    const create = make();
    const created = await tf("POST", `/api/v1/accesspolicies?region=${REGION}`, create);
    expect(created.status).toBe(200);
    expectPolicyRead(created.body);
    const id = created.body.id;

    const read = await tf("GET", `/api/v1/accesspolicies/${id}?region=${REGION}`);
    expect(read.status).toBe(200);
    expectPolicyRead(read.body);
    expect(read.body).toMatchObject({ name: create.name, displayName: create.displayName, conditions: { allowedSubnets: create.conditions?.allowedSubnets ?? [] } });
    expect([...read.body.scopes].sort()).toEqual([...create.scopes].sort());

    const update = { displayName: `${create.displayName} v2`, scopes: create.scopes, realms: create.realms, conditions: {} };
    const updated = await tf("POST", `/api/v1/accesspolicies/${id}?region=${REGION}`, update);
    expect(updated.status).toBe(200);
    expectPolicyRead(updated.body);
    expect(updated.body).toMatchObject({ displayName: update.displayName, conditions: { allowedSubnets: [] } });

    const listed = await tf("GET", `/api/v1/accesspolicies?region=${REGION}&name=${create.name}`);
    expect(listed.body.items.map((p: Json) => p.id)).toEqual([id]);

    expect((await tf("DELETE", `/api/v1/accesspolicies/${id}?region=${REGION}`)).status).toBe(204);
    expect((await tf("GET", `/api/v1/accesspolicies/${id}?region=${REGION}`)).status).toBe(404);
  });
});

describe("grafana_cloud_access_policy_token", () => {
  let policyId: string;
  beforeAll(async () => {
    policyId = (
      await tf("POST", `/api/v1/accesspolicies?region=${REGION}`, {
        name: "tokens-policy",
        displayName: "tokens-policy",
        scopes: ["metrics:write"],
        realms: [{ type: "stack", identifier: stack, labelPolicies: [] }],
        conditions: {},
      })
    ).body.id;
  });

  const bodies: [string, () => Json][] = [
    ["with display_name and expires_at", () => ({ accessPolicyId: policyId, name: "my-policy-token", displayName: "My Policy Token", expiresAt: "2099-01-01T00:00:00Z" })],
    ["without display_name (sent as an empty string) or expires_at", () => ({ accessPolicyId: policyId, name: "bare-token", displayName: "" })],
  ];

  it.each(bodies)("create (secret once) → read → update display_name → delete: %s", async (_n, make) => {
    const create = make();
    const created = await tf("POST", `/api/v1/tokens?region=${REGION}`, create);
    expect(created.status).toBe(200);
    expectTokenRead(created.body);
    expect(created.body.token).toMatch(/^kc_[0-9A-Za-z]{38}$/);
    expect(created.body).toMatchObject({ accessPolicyId: policyId, name: create.name, displayName: create.displayName || create.name });
    if (create.expiresAt) expect(Date.parse(created.body.expiresAt)).toBe(Date.parse(create.expiresAt));

    const authorized = await call("GET", "/authorize", { headers: { authorization: `Bearer ${created.body.token}`, "x-keycard-stack": stack, "x-keycard-scope": "metrics:write" } });
    expect(authorized.status).toBe(200);

    const read = await tf("GET", `/api/v1/tokens/${created.body.id}?region=${REGION}`);
    expectTokenRead(read.body);
    expect(read.body).not.toHaveProperty("token");

    const displayName = create.displayName || create.name;
    const updated = await tf("POST", `/api/v1/tokens/${created.body.id}?region=${REGION}`, { displayName: `${displayName} (renamed)` });
    expect(updated.status).toBe(200);
    expectTokenRead(updated.body);
    expect(updated.body.displayName).toBe(`${displayName} (renamed)`);

    expect((await tf("DELETE", `/api/v1/tokens/${created.body.id}?region=${REGION}`)).status).toBe(204);
    expect((await tf("GET", `/api/v1/tokens/${created.body.id}?region=${REGION}`)).status).toBe(404);
  });
});
