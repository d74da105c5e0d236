import { createResultsStore, type ResultsStore } from "@flowcost/core";

/** A results store over a Map (key -> text), for unit tests of jobs that read and write documents. */
export function memoryStore(): { store: ResultsStore; docs: Map<string, string> } {
  const docs = new Map<string, string>();
  const store = createResultsStore({
    list: async (prefix) => [...docs.keys()].filter((k) => k.startsWith(prefix)),
    get: async (key) => docs.get(key),
    put: async (key, body) => {
      docs.set(key, body);
    },
  });
  return { store, docs };
}
