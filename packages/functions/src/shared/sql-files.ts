import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createSqlLoader, type SqlLoader } from "@flowcost/core";

/**
 * Where a Lambda finds `queries/`: the deployment copies the folder beside the bundle
 * (`copyFiles`), and Lambda's working directory is the bundle's root, so `<cwd>/queries` is the
 * default. `FLOWCOST_QUERIES_DIR` overrides it for tests and unusual packaging.
 */
export function lambdaQueriesDir(dir?: string): string {
  return dir ?? process.env.FLOWCOST_QUERIES_DIR ?? join(process.cwd(), "queries");
}

/** The Lambda-side SQL loader: same engine-file selection and caching as the local engine. */
export function lambdaSqlLoader(dir?: string): SqlLoader {
  const root = lambdaQueriesDir(dir);
  return createSqlLoader(async (path) => {
    try {
      return await readFile(join(root, path), "utf8");
    } catch (error) {
      throw new Error(`cannot read query file ${join(root, path)} (queries dir: ${root})`, { cause: error });
    }
  });
}
