/** Lists: Grafana's envelope, bounded page sizes, and cursors that stay stable while others insert. */
import { describe, expect, it } from "vitest";
import { policy, token, world, type Json } from "./admin-helpers.ts";
import { newOrg, newStack, ok } from "./helpers.ts";

/** Follows `nextPage` to the end, calling `between` after each page; returns the ids seen, in order. */
async function walk(first: string, between: () => Promise<void> = async () => {}): Promise<string[]> {
  const seen: string[] = [];
  let path: string | null = first;
  while (path) {
    const page: Json = await ok("GET", path);
    expect(Object.keys(page)).toEqual(["items", "metadata"]);
    expect(Object.keys(page.metadata.pagination).sort()).toEqual(["nextPage", "pageCursor", "pageSize"]);
    seen.push(...page.items.map((x: Json) => x.id));
    path = page.metadata.pagination.nextPage;
    if (path) await between();
  }
  return seen;
}

describe("cursor pagination is stable under concurrent inserts", () => {
  const lists: [string, (org: string) => Promise<string>, (org: string) => string][] = [
    ["access policies", async (org) => (await policy(org)).id, (org) => `/api/v1/accesspolicies?orgId=${org}&pageSize=2`],
    ["tokens", async (org) => (await token(org, (await policy(org)).id)).id, (org) => `/api/v1/tokens?orgId=${org}&pageSize=2`],
    ["stacks", async (org) => newStack(org), (org) => `/api/v1/stacks?orgId=${org}&pageSize=2`],
  ];
  it.each(lists)("%s: nothing is skipped or repeated, and items inserted meanwhile come after the cursor", async (_n, insert, path) => {
    const org = await newOrg();
    const existing: string[] = [];
    for (let i = 0; i < 7; i++) existing.push(await insert(org));
    const added: string[] = [];
    const seen = await walk(path(org), async () => {
      added.push(await insert(org));
    });
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, existing.length)).toEqual(existing);
    expect(seen).toEqual(expect.arrayContaining([...existing, ...added]));
    expect(seen).toEqual([...seen].sort());
  });

  it("the audit log, newest first, keeps every event that existed when paging began", async () => {
    const { org } = await world();
    for (let i = 0; i < 5; i++) await policy(org);
    const before = (await ok<Json>("GET", `/api/v1/auditevents?orgId=${org}&pageSize=1000`)).items.map((e: Json) => e.id);
    const seen = await walk(`/api/v1/auditevents?orgId=${org}&pageSize=3`, async () => void (await policy(org)));
    expect(seen).toEqual(before);
  });
});

describe("page size", () => {
  it("echoes pageSize and pageCursor, and nextPage keeps the filters", async () => {
    const { org } = await world();
    for (let i = 0; i < 3; i++) await policy(org, { status: "inactive" });
    const first = await ok<Json>("GET", `/api/v1/accesspolicies?orgId=${org}&status=inactive&pageSize=2&region=us`);
    expect(first.metadata.pagination).toMatchObject({ pageSize: 2, pageCursor: null });
    const next = first.metadata.pagination.nextPage as string;
    expect(next).toContain("status=inactive");
    expect(next).toContain("region=us");
    const second = await ok<Json>("GET", next);
    expect(second.metadata.pagination).toMatchObject({ pageSize: 2, pageCursor: first.items[1].id, nextPage: null });
    expect(second.items).toHaveLength(1);
  });

  it("defaults to 100 items", async () => {
    const { org } = await world();
    const p = (await policy(org)).id;
    await Promise.all(Array.from({ length: 101 }, () => token(org, p)));
    const page = await ok<Json>("GET", `/api/v1/tokens?orgId=${org}`);
    expect(page.items).toHaveLength(100);
    expect(page.metadata.pagination.pageSize).toBe(100);
    expect(page.metadata.pagination.nextPage).toEqual(expect.any(String));
    expect((await ok<Json>("GET", `/api/v1/tokens?orgId=${org}&pageSize=1000`)).items).toHaveLength(101);
  });
});
