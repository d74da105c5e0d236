/** JSON merge patch (RFC 7386), as `kubectl patch --type merge` applies it. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return structuredClone(patch);
  const base =
    target !== null && typeof target === "object" && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete base[key];
    else base[key] = applyMergePatch(base[key], value);
  }
  return base;
}

/** The `-p '<json>'` argument of a generated `kubectl patch` command. */
export function patchArgument(command: string): unknown {
  const m = /-p '(.*)'$/.exec(command);
  if (!m?.[1]) throw new Error(`no -p '<json>' in ${command}`);
  return JSON.parse(m[1]);
}
