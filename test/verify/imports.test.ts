/** `keycard/verify` ships to origins: it may import only jose, the PromQL grammar and the selector library, and nothing runtime-specific. */
import { describe, expect, it } from "vitest";

const verify = import.meta.glob("../../src/verify/**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
const labels = import.meta.glob("../../src/core/labels/**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

/** Specifiers of static imports and re-exports (statements start a line; examples in JSDoc do not), and of dynamic imports. */
const specifiers = (text: string) =>
  [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']/gm)].map((m) => m[1] ?? m[2]!);

describe("src/verify and what it pulls in", () => {
  it("has files and imports to check", () => {
    expect(Object.keys(verify).length).toBeGreaterThan(5);
    expect(Object.values(verify).flatMap(specifiers)).toEqual(expect.arrayContaining(["jose", "@prometheus-io/lezer-promql", "../core/labels/index.ts"]));
  });

  it.each(Object.entries(verify))("%s imports only jose, @prometheus-io/lezer-promql, ./* and ../core/labels/*", (_file, text) => {
    for (const s of specifiers(text)) expect(s).toMatch(/^(jose|@prometheus-io\/lezer-promql|\.\/[a-z-]+\.ts|\.\.\/core\/labels\/[a-z-]+\.ts)$/);
  });

  it.each(Object.entries(labels))("%s (used by src/verify) imports only its siblings and ../result.ts", (_file, text) => {
    for (const s of specifiers(text)) expect(s).toMatch(/^(\.\/[a-z-]+\.ts|\.\.\/result\.ts)$/);
  });

  it.each(Object.entries(verify))("%s uses no runtime-specific API", (_file, text) => {
    expect(text).not.toMatch(/["'](node|cloudflare):|process\.|Buffer\b|require\(/);
  });
});
