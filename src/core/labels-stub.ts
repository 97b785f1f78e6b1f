import { err, ok, type Result } from "./result.ts";
export function validateLabelPolicySelector(s: string): Result<unknown, { message: string; position: number }> {
  return /^\{.*\}$/.test(s) ? ok(s) : err({ message: "bad selector", position: 0 });
}
