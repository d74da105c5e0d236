import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { InvalidInputError, type InventoryReader } from "@flowcost/core";
import { readJsonFile } from "./inventory-files.ts";

/** The lake folder's inventory as the recommendations read it (keys are paths under the folder). */
export function folderInventoryReader(lakeDir: string): InventoryReader {
  const path = (key: string) => join(lakeDir, ...key.split("/"));
  const entries = async (prefix: string) =>
    readdir(path(prefix), { recursive: true, withFileTypes: true }).catch(() => []);
  return {
    async list(prefix) {
      return (await entries(prefix))
        .filter((e) => e.isFile() && !e.name.startsWith("."))
        .map((e) => `${prefix}${relative(path(prefix), join(e.parentPath, e.name)).split(sep).join("/")}`);
    },
    async listFolders(prefix) {
      const direct = await readdir(path(prefix), { withFileTypes: true }).catch(() => []);
      return direct.filter((e) => e.isDirectory()).map((e) => e.name);
    },
    async readJson(key) {
      try {
        return await readJsonFile(path(key));
      } catch (error) {
        // A missing optional file (ip-ranges.json) reads as absent; a corrupt one still fails by name.
        if (error instanceof InvalidInputError && /ENOENT/.test(error.message)) return undefined;
        throw error;
      }
    },
  };
}
