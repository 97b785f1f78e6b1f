/** The domain objects of the admin API, in their Grafana Cloud shapes (DESIGN §1, §5). */

/** A realm: the org, or one stack, with optional label policies limiting reads. */
export interface Realm {
  type: "org" | "stack";
  identifier: string;
  labelPolicies: { selector: string }[];
}

/** The policy status: only active policies authorize anything. */
export type PolicyStatus = "active" | "inactive";

/** An access policy. */
export interface AccessPolicy {
  id: string;
  orgId: string;
  name: string;
  displayName: string;
  scopes: string[];
  realms: Realm[];
  conditions: { allowedSubnets: string[] };
  status: PolicyStatus;
  createdAt: string;
  updatedAt: string;
}

/** A token, without its secret. */
export interface Token {
  id: string;
  accessPolicyId: string;
  orgId: string;
  name: string;
  displayName: string;
  expiresAt: string | null;
  firstUsedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** An org: the tenant boundary. */
export interface Org {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** A stack: a set of services in an org. */
export interface Stack {
  id: string;
  orgId: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * What the hot path needs to know about a token: the token, its policy, flattened. This is the
 * plain-data form cached in KV; `compileRecord` turns it into matchers once per isolate.
 */
export interface TokenRecord {
  tokenId: string;
  orgId: string;
  policyId: string;
  /** Epoch milliseconds; null means the token never expires. */
  expiresAt: number | null;
  status: PolicyStatus;
  scopes: string[];
  realms: { type: "org" | "stack"; identifier: string; selectors: string[] }[];
  allowedSubnets: string[];
}
