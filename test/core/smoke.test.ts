import { env } from "cloudflare:test";
import { expect, it } from "vitest";

it("runs inside workerd with D1", async () => {
  const row = await env.DB.prepare("SELECT 1 AS one").first<{ one: number }>();
  expect(row?.one).toBe(1);
});
