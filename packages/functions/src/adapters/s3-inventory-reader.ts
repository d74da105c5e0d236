import { InvalidInputError, type InventoryReader } from "@flowcost/core";
import type { S3Lake } from "./s3-lake.ts";
import { s3DocumentBackend } from "./s3-results-store.ts";

/** The lake bucket's raw inventory for the recommendations: gzip or plain JSON, absent keys undefined. */
export function s3InventoryReader(
  lake: Pick<S3Lake, "list" | "listObjects" | "listFolders" | "getBytes" | "putBytes">,
): InventoryReader {
  const documents = s3DocumentBackend(lake);
  return {
    list: (prefix) => lake.list(prefix),
    listFolders: (prefix) => lake.listFolders(prefix),
    async readJson(key) {
      const text = await documents.get(key);
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new InvalidInputError(`${key}: not valid JSON (${(error as Error).message})`, { cause: error });
      }
    },
  };
}
