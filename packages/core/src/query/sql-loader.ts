import { type QueryDefinition, queryFile } from "./catalog.ts";
import type { EngineName } from "./engine.ts";

/** Reads a file under `queries/` by its relative path; the engine package supplies the I/O. */
export type ReadQueryFile = (relativePath: string) => Promise<string>;

export type SqlLoader = (q: QueryDefinition, engine: EngineName) => Promise<string>;

/**
 * One loader for both engines: picks the engine's sibling file when the query declares one,
 * trims a trailing semicolon (neither driver wants it), and caches each text once.
 */
export function createSqlLoader(read: ReadQueryFile): SqlLoader {
  const cache = new Map<string, Promise<string>>();
  return (q, engine) => {
    const path = queryFile(q, engine);
    let text = cache.get(path);
    if (!text) {
      text = read(path).then((sql) => sql.trim().replace(/;\s*$/, ""));
      cache.set(path, text);
    }
    return text;
  };
}
