import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { errorMessage, FlowcostError, InvalidInputError } from "@flowcost/core";
import { type PipelineResult, runPipeline } from "../pipeline.ts";
import { generateScenario } from "../scenario/write.ts";
import { gb, table, usd } from "./format.ts";

const USAGE = `flowcost: who causes your EKS cross-AZ, NAT gateway and load balancer spend

Usage:
  flowcost demo [--out <folder>]       generate a realistic cluster's data and analyse it end to end
  flowcost analyze <folder>            analyse a local folder in the lake layout
Options:
  --memory-limit <size>                DuckDB memory limit (default 1GB)
  --format table|json                  output format (default table)
  -h, --help                           this text
`;

export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    err.write(`flowcost: ${errorMessage(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (values.help ? out : err).write(USAGE);
    return values.help ? 0 : 2;
  }
  const format = values.format ?? "table";
  if (format !== "table" && format !== "json") {
    err.write(`flowcost: --format must be table or json, not "${format}"\n`);
    return 2;
  }
  const progress = (step: string) => {
    if (format === "table") err.write(`· ${step}\n`);
  };
  try {
    let lakeDir: string;
    if (command === "demo") {
      lakeDir = resolve(values.out ?? "flowcost-demo");
      progress(`generating a demo cluster into ${lakeDir}`);
      const scenario = await generateScenario({ outDir: lakeDir });
      progress(
        `wrote ${scenario.files.records} flow-log records in ${scenario.files.flowLogs} objects and ${scenario.files.snapshots} kubectl snapshots`,
      );
    } else if (command === "analyze") {
      if (!rest[0]) throw new InvalidInputError("analyze needs a folder: flowcost analyze <folder>");
      lakeDir = resolve(rest[0]);
    } else {
      err.write(`flowcost: unknown command "${command}"\n\n${USAGE}`);
      return 2;
    }
    const result = await runPipeline({ lakeDir, memoryLimit: values["memory-limit"], onStep: progress });
    if (result.flowLogObjects === 0) {
      throw new InvalidInputError(`${lakeDir}: no VPC flow-log objects found (expected keys under AWSLogs/)`);
    }
    out.write(format === "json" ? `${JSON.stringify(toJson(result), null, 2)}\n` : render(result));
    return 0;
  } catch (error) {
    err.write(`flowcost: ${errorMessage(error)}\n`);
    return error instanceof FlowcostError && error.status < 500 ? 1 : 3;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      "memory-limit": { type: "string" },
      format: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function toJson(result: PipelineResult) {
  return {
    flowLogObjects: result.flowLogObjects,
    days: result.days.map((d) => ({
      date: d.day.dt,
      costBasis: "estimated",
      rows: d.rows.map((r) => ({
        category: r.category,
        source: {
          namespace: r.src_namespace,
          workloadKind: r.src_workload_kind,
          workload: r.src_workload,
          azId: r.src_az_id,
        },
        destination: {
          namespace: r.dst_namespace,
          workloadKind: r.dst_workload_kind,
          workload: r.dst_workload,
          azId: r.dst_az_id,
        },
        confidence: r.confidence,
        bytes: r.bytes,
        listCostUsd: Number(r.list_cost_usd.toFixed(6)),
      })),
    })),
  };
}

function render(result: PipelineResult): string {
  const parts: string[] = [];
  for (const d of result.days) {
    const cross = d.rows.filter((r) => r.category === "cross_az").sort((a, b) => b.bytes - a.bytes);
    const same = d.rows.filter((r) => r.category === "same_az").reduce((s, r) => s + r.bytes, 0);
    const total = cross.reduce((s, r) => s + r.list_cost_usd, 0);
    parts.push(
      `Cross-AZ traffic on ${d.day.dt} (UTC), list-price estimate: $0.01/GB out at the sender + $0.01/GB in at the receiver`,
      table(
        ["source", "destination", "src AZ", "dst AZ", "GB", "list cost", "confidence"],
        cross.map((r) => [
          `${r.src_namespace ?? "-"}/${r.src_workload}`,
          `${r.dst_namespace ?? "-"}/${r.dst_workload}`,
          r.src_az_id ?? "?",
          r.dst_az_id ?? "?",
          gb(r.bytes),
          usd(r.list_cost_usd),
          r.confidence,
        ]),
        [false, false, false, false, true, true, false],
      ),
      `Total cross-AZ: ${gb(cross.reduce((s, r) => s + r.bytes, 0))} GB, ${usd(total)} (estimated; add a CUR export to reconcile to the bill). Same-AZ, free: ${gb(same)} GB.`,
      ...d.identity.clusters.map(
        (c) =>
          `Identity (${c.cluster}): ${c.stats.snapshots} snapshots, ${c.stats.overlaps} address(es) reused while ownership overlapped` +
          (c.stats.nodesWithoutZone.length
            ? `, nodes without an AZ ID: ${c.stats.nodesWithoutZone.join(", ")}`
            : ""),
      ),
      "",
    );
  }
  return `${parts.join("\n")}\n`;
}
