import { clusterPlace, type Node, nodeRegion, type ResultRow } from "@flowcost/core";
import { describe, expect, test } from "vitest";

/**
 * An Organization's lake holds rows of several accounts and Regions, but the recommendation rules
 * read one cluster's inventory: they must see that cluster's Region only, at its prices.
 */
const node = (labels: Record<string, string>, providerID?: string) =>
  ({ metadata: { name: "n", labels }, ...(providerID ? { spec: { providerID } } : {}) }) as unknown as Node;
const row = (region: string | null | undefined, bytes: number) =>
  ({ category: "cross_az", bytes, ...(region === undefined ? {} : { region }) }) as unknown as ResultRow;

describe("the recommended cluster's Region", () => {
  test("a node's Region: the region label, else its zone name less the zone letter, else unknown", () => {
    expect(nodeRegion(node({ "topology.kubernetes.io/region": "eu-west-2" }))).toBe("eu-west-2");
    expect(nodeRegion(node({ "topology.kubernetes.io/zone": "us-west-2b" }))).toBe("us-west-2");
    expect(nodeRegion(node({}, "aws:///ap-southeast-1a/i-0abc"))).toBe("ap-southeast-1");
    // A Local Zone's name is not a Region and a letter.
    expect(nodeRegion(node({ "topology.kubernetes.io/zone": "us-west-2-lax-1a" }))).toBeUndefined();
    expect(nodeRegion(node({}))).toBeUndefined();
  });

  test("rows of several Regions: only the cluster's Region's rows, and that Region", () => {
    const rows = [row("us-east-1", 1), row("us-west-2", 2), row("us-west-2", 4)];
    const place = clusterPlace([node({ "topology.kubernetes.io/zone": "us-west-2a" })], rows);
    expect(place.region).toBe("us-west-2");
    expect(place.rows.map((r) => r.bytes)).toEqual([2, 4]);
  });

  test("rows that name no Region (a day of one place), or nodes that disagree: every row, no Region chosen", () => {
    const oneplace = [row(undefined, 1), row(null, 2)];
    expect(clusterPlace([node({ "topology.kubernetes.io/region": "us-west-2" })], oneplace)).toEqual({
      region: undefined,
      rows: oneplace,
    });
    const rows = [row("us-east-1", 1), row("us-west-2", 2)];
    const disagree = clusterPlace(
      [
        node({ "topology.kubernetes.io/region": "us-east-1" }),
        node({ "topology.kubernetes.io/region": "us-west-2" }),
      ],
      rows,
    );
    expect(disagree).toEqual({ region: undefined, rows });
  });
});
