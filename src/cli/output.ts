/** Human output: aligned tables, key–value blocks, times. Text from the server is made terminal-safe. */
import type { DecisionClaims } from "../core/decision.ts";

/** The rows every view of a decision shows, in order: who, what, where, from which IP. */
export function claimRows(c: DecisionClaims): [string, string][] {
  return [
    ["token", c.sub],
    ["policy", c.pol],
    ["org", c.org],
    ["stack", c.stack ?? "-"],
    ["scope", c.scope],
    ["audience", list(c.aud)],
    ["labels", c.labels && c.labels.length > 0 ? c.labels.join(" or ") : "-"],
    ["client IP", c.ip ?? "-"],
  ];
}

/** Replaces control characters (escape sequences included) so server text cannot drive the terminal. */
export function safe(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "\uFFFD");
}

/** A table with a header row; columns are padded to their widest cell, trailing spaces dropped. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows].map((r) => r.map(safe));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

/** `key  value` lines, keys aligned; a multi-line value continues under its first line. */
export function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs
    .map(([k, v]) => {
      const [first = "", ...rest] = v.split("\n").map(safe);
      return [`${k.padEnd(width)}  ${first}`.trimEnd(), ...rest.map((l) => `${" ".repeat(width + 2)}${l}`)].join("\n");
    })
    .join("\n");
}

/** An ISO time without milliseconds, or `-`. */
export function time(iso: string | null | undefined): string {
  if (!iso) return "-";
  return iso.replace(/\.\d+Z$/, "Z");
}

/** A token's expiry: `never`, the time, and `(expired)` once past. */
export function expiry(iso: string | null, now: number): string {
  if (iso === null) return "never";
  return Date.parse(iso) <= now ? `${time(iso)} (expired)` : time(iso);
}

/** A duration in seconds, short: `45 s`, `12 min`, `3 h`, `2 d`. */
export function duration(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** A list, or `-` when empty. */
export function list(items: readonly string[], separator = ", "): string {
  return items.length === 0 ? "-" : items.join(separator);
}
