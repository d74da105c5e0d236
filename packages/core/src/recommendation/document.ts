import { parseDocument, type ResultsStore } from "../results/store.ts";
import { type RecommendationsDocument, recommendationsDocumentSchema } from "./types.ts";

/** Where a day's recommendations live in the lake (architecture.md, "Lake layout"). */
export const recommendationsKey = (dt: string): string =>
  `results/recommendations/dt=${dt}/recommendations.json`;

/** Replaces the day's recommendations document (validated before it is written). */
export async function writeRecommendations(store: ResultsStore, doc: RecommendationsDocument): Promise<void> {
  const valid = recommendationsDocumentSchema.parse(doc);
  await store.writeDocument(
    recommendationsKey(valid.dt),
    `${JSON.stringify(valid, null, 2)}\n`,
    "application/json",
  );
}

/** The day's recommendations, validated; undefined when the day has none. */
export async function readRecommendations(
  store: ResultsStore,
  dt: string,
): Promise<RecommendationsDocument | undefined> {
  const key = recommendationsKey(dt);
  const text = await store.readDocument(key);
  return text === undefined ? undefined : parseDocument(key, text, recommendationsDocumentSchema);
}
