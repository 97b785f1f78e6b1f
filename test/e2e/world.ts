/** The orgs, stacks, policies and tokens the suite creates through the admin API, as the operator. */
import { newOperatorToken } from "../../scripts/secrets.ts";
import type { Admin } from "./keycard.ts";
import type { Queue } from "./recipes.ts";

/** One token: its id (the decision's `sub`) and its secret. */
export interface Tok {
  id: string;
  secret: string;
}

/** Everything the checks refer to. */
export interface World {
  org: string;
  /** The stack the collector policy covers. */
  stack: string;
  /** A stack of the same org that the policy's realms do not cover. */
  uncoveredStack: string;
  /** A stack of another org. */
  foreignStack: string;
  /**
   * One token per good Prometheus queue. The bearer queues' tokens are under an org-realm policy:
   * Debian's Prometheus 2.42 does not send remote_write `headers:`, so X-Keycard-Stack may not arrive.
   */
  queues: Record<GoodQueue, Tok>;
  /** Pushes through a queue, then is deleted mid-run. */
  doomed: Tok;
  /** Used with the foreign stack by a Prometheus queue. */
  straying: Tok;
  /** For requests the suite sends itself. */
  probe: Tok;
  /** Under a policy whose allowedSubnets (10.0.0.0/8) exclude every loopback address. */
  office: Tok;
  /** Under a policy whose allowedSubnets admit only 127.0.0.2/32: usable only through delegation. */
  pinned: Tok;
  /** `set:alloy-data-write`, for the Fleet Management collector RPCs. */
  alloy: Tok;
  /** The gateways' own token: `authorizer:delegate`, callable from 127.0.0.1/32 only. */
  gateway: Tok;
  /** Well-formed, never issued. */
  unknown: string;
}

/** The queues that must deliver: each gateway, each credential style. */
export const GOOD_QUEUES = ["nginx-basic", "nginx-bearer", "caddy-basic", "caddy-bearer"] as const;
export type GoodQueue = (typeof GOOD_QUEUES)[number];

/** Creates the world. */
export async function seed(admin: Admin): Promise<World> {
  const run = Date.now().toString(36);
  const org = await admin.org(`acme-${run}`);
  const stack = await admin.stack(org, "prod-eu");
  const uncoveredStack = await admin.stack(org, "staging");
  const other = await admin.org(`globex-${run}`);
  const foreignStack = await admin.stack(other, "prod-us");

  const collectors = await admin.policy(org, {
    name: "collectors",
    scopes: ["metrics:write"],
    realms: [{ type: "stack", identifier: stack }],
  });
  const office = await admin.policy(org, {
    name: "office-only",
    scopes: ["metrics:write"],
    realms: [{ type: "stack", identifier: stack }],
    conditions: { allowedSubnets: ["10.0.0.0/8"] },
  });

  const pinned = await admin.policy(org, {
    name: "second-client-only",
    scopes: ["metrics:write"],
    realms: [{ type: "stack", identifier: stack }],
    conditions: { allowedSubnets: ["127.0.0.2/32"] },
  });
  const alloy = await admin.policy(org, {
    name: "alloy",
    scopes: ["set:alloy-data-write"],
    realms: [{ type: "stack", identifier: stack }],
  });
  const gateways = await admin.policy(org, {
    name: "gateways",
    scopes: ["authorizer:delegate"],
    realms: [{ type: "org", identifier: org }],
    conditions: { allowedSubnets: ["127.0.0.1/32"] },
  });
  const orgWide = await admin.policy(org, {
    name: "org-collectors",
    scopes: ["metrics:write"],
    realms: [{ type: "org", identifier: org }],
  });

  const queues = {} as Record<GoodQueue, Tok>;
  for (const q of GOOD_QUEUES) queues[q] = await admin.token(org, q.endsWith("bearer") ? orgWide : collectors, q);
  return {
    org,
    stack,
    uncoveredStack,
    foreignStack,
    queues,
    doomed: await admin.token(org, collectors, "doomed"),
    straying: await admin.token(org, collectors, "straying"),
    probe: await admin.token(org, collectors, "probe"),
    office: await admin.token(org, office, "office"),
    pinned: await admin.token(org, pinned, "second-client"),
    alloy: await admin.token(org, alloy, "alloy-1"),
    gateway: await admin.token(org, gateways, "gateway"),
    unknown: newOperatorToken(),
  };
}

/** Prometheus' remote_write queues: four that must deliver, four that must be refused at the gateway. */
export function queuesOf(w: World): Queue[] {
  const good: Queue[] = GOOD_QUEUES.map((name) => {
    const [gateway, style] = name.split("-") as [Queue["gateway"], Queue["style"]];
    return { name, gateway, style, stack: w.stack, token: w.queues[name].secret };
  });
  return [
    ...good,
    { name: "doomed", gateway: "nginx", style: "basic", stack: w.stack, token: w.doomed.secret },
    { name: "unknown-token", gateway: "caddy", style: "basic", stack: w.stack, token: w.unknown },
    { name: "foreign-stack", gateway: "nginx", style: "basic", stack: w.foreignStack, token: w.straying.secret },
    { name: "outside-subnet", gateway: "caddy", style: "bearer", stack: w.stack, token: w.office.secret },
  ];
}
