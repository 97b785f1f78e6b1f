/** Just enough dotenv for `.dev.vars`: read one key, set one key, keep every other line as it is. */

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

/** The value of `key`, unquoted; undefined when absent. */
export function readDotenv(text: string, key: string): string | undefined {
  let found: string | undefined;
  for (const line of text.split("\n")) {
    const m = LINE.exec(line);
    if (m?.[1] !== key) continue;
    const v = m[2]!;
    found = /^(['"]).*\1$/.test(v) ? v.slice(1, -1) : v;
  }
  return found;
}

/** Sets `key` to `value`, single-quoted (taken literally, so JSON survives); appends it when absent. */
export function setDotenv(text: string, key: string, value: string): string {
  if (value.includes("'") || value.includes("\n")) throw new Error(`${key}: the value cannot be single-quoted`);
  const line = `${key}='${value}'`;
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const isKey = (l: string) => LINE.exec(l)?.[1] === key;
  const first = lines.findIndex(isKey);
  const kept = lines.filter((l) => !isKey(l));
  kept.splice(first >= 0 ? first : kept.length, 0, line);
  return `${kept.join("\n")}\n`;
}
