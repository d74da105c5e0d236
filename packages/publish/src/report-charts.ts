import { CATEGORY_NAMES, NAT_DESTINATION_NAMES, type WeeklyReport } from "@flowcost/core";
import { type Loader, parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/**
 * The weekly report's charts: Vega-Lite specs compiled by vega-lite and rendered to SVG by vega
 * in Node (no browser, no canvas), so the HTML page carries its charts inline and fetches nothing.
 */

/** A loader that refuses every load: the specs carry their data inline, and the page must be self-contained. */
const noNetwork = {
  load: () => Promise.reject(new Error("report charts load nothing")),
  sanitize: () => Promise.reject(new Error("report charts load nothing")),
  http: () => Promise.reject(new Error("report charts load nothing")),
  file: () => Promise.reject(new Error("report charts load nothing")),
} as unknown as Loader;

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const config = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, gridColor: "#e5e7eb", labelLimit: 280 },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: "bottom" as const },
  range: {
    category: ["#2563eb", "#f59e0b", "#10b981", "#8b5cf6", "#ef4444", "#6b7280", "#14b8a6", "#ec4899"],
  },
};

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vega = compile({ ...spec, config: { ...config, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new View(parse(vega), { renderer: "none", loader: noNetwork });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const label = (category: string) => CATEGORY_NAMES[category]?.replace(/ \(.*\)$/, "") ?? category;

/** Each chart as [title, SVG]. */
export async function reportCharts(
  r: WeeklyReport,
): Promise<Array<{ id: string; title: string; svg: string }>> {
  const charts: Array<{ id: string; title: string; spec: TopLevelSpec }> = [];
  if (r.daily.length > 0)
    charts.push({
      id: "daily-trend",
      title: `Daily cost by category, ${r.previousWeek.id} and ${r.week.id}`,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        // One band per day: a week with few days keeps thin bars instead of one wide block.
        width: { step: 40 },
        height: 240,
        data: {
          values: r.daily.map((d) => ({ day: d.dt, category: label(d.category), usd: d.cents / 100 })),
        },
        mark: { type: "bar" },
        encoding: {
          x: { field: "day", type: "ordinal", title: null, axis: { labelAngle: -45 } },
          y: {
            field: "usd",
            type: "quantitative",
            aggregate: "sum",
            title: "USD per day",
            axis: { format: "$,.2~f" },
          },
          color: { field: "category", type: "nominal", title: null },
          tooltip: [{ field: "day" }, { field: "category" }, { field: "usd", format: "$,.2f" }],
        },
      },
    });
  charts.push({
    id: "week-over-week",
    title: `By category: ${r.week.id} against ${r.previousWeek.id}`,
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: 640,
      height: { step: 14 },
      data: {
        values: r.categories.flatMap((c) => [
          { category: label(c.category), week: r.previousWeek.id, usd: c.previousCents / 100 },
          { category: label(c.category), week: r.week.id, usd: c.cents / 100 },
        ]),
      },
      mark: { type: "bar" },
      encoding: {
        y: { field: "category", type: "nominal", title: null, sort: null },
        yOffset: { field: "week", sort: [r.previousWeek.id, r.week.id] },
        x: { field: "usd", type: "quantitative", title: "USD", axis: { format: "$,.2~f" } },
        color: {
          field: "week",
          type: "nominal",
          title: null,
          scale: { range: ["#9ca3af", "#2563eb"] },
          sort: [r.previousWeek.id, r.week.id],
        },
      },
    },
  });
  if (r.topWorkloads.length > 0)
    charts.push({
      id: "top-workloads",
      title: `Top workloads by cost (who pays), ${r.week.id}`,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        width: 640,
        height: { step: 20 },
        data: {
          values: r.topWorkloads.map((w) => ({
            workload: `${w.name}${w.isNew ? " (new)" : ""}`,
            usd: w.cents / 100,
          })),
        },
        mark: { type: "bar", color: "#2563eb" },
        encoding: {
          y: { field: "workload", type: "nominal", title: null, sort: "-x" },
          x: { field: "usd", type: "quantitative", title: "USD", axis: { format: "$,.2~f" } },
        },
      },
    });
  if (r.natByDestination.some((n) => n.cents > 0))
    charts.push({
      id: "nat-destinations",
      title: `NAT gateway cost by destination, ${r.week.id}`,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        width: 640,
        height: { step: 20 },
        data: {
          values: r.natByDestination.map((n) => ({
            destination: NAT_DESTINATION_NAMES[n.destination] ?? n.destination,
            usd: n.cents / 100,
          })),
        },
        mark: { type: "bar", color: "#f59e0b" },
        encoding: {
          y: { field: "destination", type: "nominal", title: null, sort: "-x" },
          x: { field: "usd", type: "quantitative", title: "USD", axis: { format: "$,.2f" } },
        },
      },
    });
  return Promise.all(charts.map(async (c) => ({ id: c.id, title: c.title, svg: await renderSvg(c.spec) })));
}
