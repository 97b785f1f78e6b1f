/** The core stays pure: no Hono, no Workers modules, no clock, no I/O. */
import { describe, expect, it } from "vitest";

const sources = import.meta.glob("../../src/core/**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

describe("src/core", () => {
  it("has files to check", () => expect(Object.keys(sources).length).toBeGreaterThan(5));
  it.each(Object.entries(sources))("%s imports nothing impure and reads no clock", (_file, text) => {
    expect(text).not.toMatch(/from\s+["'](hono|@hono\/|cloudflare:|node:|\.\.\/(services|storage|http))/);
    expect(text).not.toMatch(/Date\.now\(|new Date\(\)|performance\.now\(|fetch\(|console\./);
  });
});
