import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  InvalidInputError,
  readKubernetesList,
  readLoadBalancers,
  readLoadBalancerTags,
  readNatGateways,
  readNetworkInterfaces,
  zoneMapFrom,
} from "@flowcost/core";
import { generateScenario } from "@flowcost/local/scenario/write";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { tempDir } from "../support/temp.ts";
import { mutated, propertyOptions } from "./runs.ts";

/**
 * The Kubernetes List and AWS CLI describe parsers, fed real documents with random edits and
 * arbitrary JSON: each either parses or throws InvalidInputError naming its input, never a
 * TypeError or a crash (the local run turns that error into a skipped file, by name).
 */
const SOURCE = "lake/inventory/some [odd] *name?.json.gz";

function parsesOrNames(parse: (json: unknown, source: string) => unknown, json: unknown): void {
  try {
    parse(json, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain(SOURCE);
  }
}

const fixtures = join(import.meta.dirname, "../unit/core/inventory/fixtures");
const fixture = async (name: string) => JSON.parse(await readFile(join(fixtures, `${name}.json`), "utf8"));

describe("Kubernetes List JSON (kubectl get pods,nodes,services,endpointslices -A -o json)", async () => {
  const lake = await tempDir("prop-kube");
  await generateScenario({ outDir: lake, seed: 3 });
  const { readdir } = await import("node:fs/promises");
  const snapshot = (await readdir(join(lake, "inventory/kubernetes"), { recursive: true }))
    .filter((f) => f.endsWith(".json.gz"))
    .sort()[0] as string;
  const list = JSON.parse(
    gunzipSync(await readFile(join(lake, "inventory/kubernetes", snapshot))).toString(),
  );

  test("a real List parses, with its pods, nodes, services and endpoint slices", () => {
    const inventory = readKubernetesList(list, SOURCE);
    expect(inventory.pods.length).toBeGreaterThan(0);
    expect(inventory.nodes.length).toBeGreaterThan(0);
  });

  test("a real List with random edits parses or fails naming its file", () => {
    fc.assert(
      fc.property(mutated(list), (json) => parsesOrNames(readKubernetesList, json)),
      propertyOptions(),
    );
  });

  test("arbitrary JSON parses or fails naming its file", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => parsesOrNames(readKubernetesList, json)),
      propertyOptions(),
    );
  });
});

describe.each([
  ["describe-network-interfaces", readNetworkInterfaces],
  ["describe-nat-gateways", readNatGateways],
  ["describe-load-balancers", readLoadBalancers],
  ["describe-tags", readLoadBalancerTags],
  ["describe-availability-zones", zoneMapFrom],
] as const)("AWS CLI JSON: %s", (call, parse) => {
  test("the real output with random edits parses or fails naming its file", async () => {
    const real = await fixture(call);
    parse(real, SOURCE);
    fc.assert(
      fc.property(mutated(real), (json) => parsesOrNames(parse, json)),
      propertyOptions(),
    );
  });

  test("arbitrary JSON parses or fails naming its file", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => parsesOrNames(parse, json)),
      propertyOptions(),
    );
  });
});
