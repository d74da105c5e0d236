/**
 * The Athena DDL in `queries/ddl/athena/` is the one definition of the Glue tables. Pulumi has no
 * "run this DDL" resource, so this module reads the files, fills their `${UPPER_CASE}` template
 * variables and turns each statement into the arguments of an `aws.glue.CatalogTable`.
 *
 * It is plain TypeScript (no SST globals, no Pulumi import) so unit tests check the mapping
 * without a deployment. It understands the subset of Hive DDL our files use, and fails naming the
 * file and the clause it could not read rather than guessing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FLOW_FIELDS, flowField } from "@flowcost/core";

export interface GlueColumn {
  readonly name: string;
  readonly type: string;
}

export interface TableDdl {
  readonly file: string;
  readonly name: string;
  readonly columns: ReadonlyArray<GlueColumn>;
  readonly partitionKeys: ReadonlyArray<GlueColumn>;
  /** `text`: delimited text; `json`: one JSON object per line (OpenX JSON SerDe); `parquet`. */
  readonly storage: "text" | "json" | "parquet";
  /** Only for delimited text tables: the single-character field delimiter. */
  readonly fieldDelimiter: string | undefined;
  readonly location: string;
  readonly properties: Readonly<Record<string, string>>;
}

/** The shape of `aws.glue.CatalogTableArgs` this project uses (plain values, no Pulumi inputs). */
export interface GlueTableArgs {
  name: string;
  databaseName: string;
  tableType: "EXTERNAL_TABLE";
  parameters: Record<string, string>;
  partitionKeys: Array<{ name: string; type: string }>;
  storageDescriptor: {
    location: string;
    inputFormat: string;
    outputFormat: string;
    serDeInfo: { serializationLibrary: string; parameters: Record<string, string> };
    columns: Array<{ name: string; type: string }>;
  };
}

export const DDL_DIR = "queries/ddl/athena";

/** The DDL files, one table each, in the order the catalog creates them. */
export const DDL_FILES = [
  "raw_flow_logs.sql",
  "raw_flow_logs_parquet.sql",
  "curated_flows.sql",
  "ip_identity.sql",
  "results_daily.sql",
  "cur.sql",
  "ip_identity_staging.sql",
  "stitched_flows.sql",
  "aws_ip_ranges.sql",
] as const;

export type DdlFile = (typeof DDL_FILES)[number];

export class DdlError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "DdlError";
  }
}

const TEMPLATE_VARIABLE = /\$\{([A-Z][A-Z0-9_]*)\}/g;

/**
 * Fills `${UPPER_CASE}` variables. Lower-case ones (`${region}`, `${day}`) are Athena's partition
 * projection placeholders and stay. A variable without a value fails, naming it.
 */
export function fillTemplate(file: string, sql: string, values: Readonly<Record<string, string>>): string {
  return sql.replace(TEMPLATE_VARIABLE, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new DdlError(file, `template variable \${${name}} has no value`);
    return value;
  });
}

/** The `${UPPER_CASE}` variables a DDL text uses, sorted. */
export function templateVariables(sql: string): string[] {
  return [...new Set([...sql.matchAll(TEMPLATE_VARIABLE)].map((m) => m[1] as string))].sort();
}

function stripComments(sql: string): string {
  return sql
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n");
}

/** The text between the parenthesis at `open` and its match. */
function balanced(file: string, text: string, open: number): { inner: string; end: number } {
  let depth = 0;
  let quoted = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === "(") depth++;
    if (c === ")" && --depth === 0) return { inner: text.slice(open + 1, i), end: i + 1 };
  }
  throw new DdlError(file, "unbalanced parentheses");
}

/** Splits on commas outside `<...>` and `(...)`, so `map<string, double>` stays one type. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of text) {
    if (c === "<" || c === "(") depth++;
    if (c === ">" || c === ")") depth--;
    if (c === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  if (current.trim()) parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

function parseColumns(file: string, list: string): GlueColumn[] {
  return splitTopLevel(list).map((definition) => {
    const match = /^`?([A-Za-z0-9_-]+)`?\s+(.+)$/s.exec(definition);
    if (!match) throw new DdlError(file, `cannot read column definition "${definition}"`);
    return { name: match[1] as string, type: (match[2] as string).replace(/\s+/g, "") };
  });
}

function parseProperties(file: string, list: string): Record<string, string> {
  const properties: Record<string, string> = {};
  const pair = /'([^']*)'\s*=\s*'([^']*)'/g;
  for (const m of list.matchAll(pair)) properties[m[1] as string] = m[2] as string;
  if (Object.keys(properties).length === 0) throw new DdlError(file, "TBLPROPERTIES has no 'key' = 'value'");
  return properties;
}

/** Reads one CREATE EXTERNAL TABLE statement (after its template variables are filled). */
export function parseTableDdl(file: string, sql: string): TableDdl {
  const text = stripComments(sql);
  const head = /CREATE\s+EXTERNAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?([a-z0-9_]+)`?\s*\(/i.exec(text);
  if (!head) throw new DdlError(file, "expected CREATE EXTERNAL TABLE <name> (");
  const columns = balanced(file, text, head.index + head[0].length - 1);
  let rest = text.slice(columns.end);

  let partitionKeys: GlueColumn[] = [];
  const partitioned = /^\s*PARTITIONED\s+BY\s*\(/i.exec(rest);
  if (partitioned) {
    const keys = balanced(file, rest, partitioned[0].length - 1);
    partitionKeys = parseColumns(file, keys.inner);
    rest = rest.slice(keys.end);
  }

  const delimited = /ROW\s+FORMAT\s+DELIMITED\s+FIELDS\s+TERMINATED\s+BY\s+'([^']+)'/i.exec(rest);
  const serde = /ROW\s+FORMAT\s+SERDE\s+'([^']+)'/i.exec(rest)?.[1];
  if (serde !== undefined && serde !== JSON_LINES.serde) {
    throw new DdlError(file, `unsupported SerDe '${serde}' (only ${JSON_LINES.serde})`);
  }
  const json = serde !== undefined;
  const parquet = /STORED\s+AS\s+PARQUET/i.test(rest);
  if ([delimited !== null, json, parquet].filter(Boolean).length !== 1) {
    throw new DdlError(
      file,
      `expected exactly one of ROW FORMAT DELIMITED ..., ROW FORMAT SERDE '${JSON_LINES.serde}' or STORED AS PARQUET`,
    );
  }
  if (json && !/STORED\s+AS\s+TEXTFILE/i.test(rest)) {
    throw new DdlError(
      file,
      "a JSON SerDe table must be STORED AS TEXTFILE (gzip text is read by extension)",
    );
  }
  const location = /LOCATION\s+'([^']+)'/i.exec(rest);
  if (!location) throw new DdlError(file, "expected LOCATION 's3://...'");
  const props = /TBLPROPERTIES\s*\(/i.exec(rest);
  const properties = props
    ? parseProperties(file, balanced(file, rest, props.index + props[0].length - 1).inner)
    : {};

  return {
    file,
    name: head[1] as string,
    columns: parseColumns(file, columns.inner),
    partitionKeys,
    storage: parquet ? "parquet" : json ? "json" : "text",
    fieldDelimiter: delimited?.[1],
    location: location[1] as string,
    properties,
  };
}

const TEXT = {
  inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
  outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
  serde: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
};
/** One JSON object per line, gzip when the key ends `.gz`, as Athena's own JSON tables read it. */
const JSON_LINES = {
  inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
  outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
  serde: "org.openx.data.jsonserde.JsonSerDe",
};
const PARQUET = {
  inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
  outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
  serde: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
};

/** What Athena's own CREATE EXTERNAL TABLE would have stored in Glue for this statement. */
export function glueTableArgs(ddl: TableDdl, databaseName: string): GlueTableArgs {
  const formats = { text: TEXT, json: JSON_LINES, parquet: PARQUET }[ddl.storage];
  const serdeParameters: Record<string, string> =
    ddl.storage === "text"
      ? {
          "field.delim": ddl.fieldDelimiter ?? " ",
          "serialization.format": ddl.fieldDelimiter ?? " ",
          ...(ddl.properties["serialization.null.format"]
            ? { "serialization.null.format": ddl.properties["serialization.null.format"] }
            : {}),
        }
      : { "serialization.format": "1" };
  return {
    name: ddl.name,
    databaseName,
    tableType: "EXTERNAL_TABLE",
    parameters: {
      EXTERNAL: "TRUE",
      classification: { text: "csv", json: "json", parquet: "parquet" }[ddl.storage],
      ...ddl.properties,
    },
    partitionKeys: ddl.partitionKeys.map((c) => ({ ...c })),
    storageDescriptor: {
      location: ddl.location,
      inputFormat: formats.inputFormat,
      outputFormat: formats.outputFormat,
      serDeInfo: { serializationLibrary: formats.serde, parameters: serdeParameters },
      columns: ddl.columns.map((c) => ({ ...c })),
    },
  };
}

/**
 * Text flow logs match columns by position, so the raw table's columns follow the flow log's
 * LogFormat, then every other field (read as NULL: the lines have no such trailing values), so
 * queries can name any field whatever the format. The record's `region` field becomes
 * `record_region` because `region` is the partition.
 */
export function rawFlowLogColumns(logFormat: ReadonlyArray<string>): GlueColumn[] {
  const chosen = logFormat.map((name) => {
    const field = flowField(name.replace(/^\$\{|\}$/g, ""));
    if (!field) throw new DdlError("flowLogFormat", `unknown flow-log field "${name}"`);
    return field;
  });
  const seen = new Set(chosen.map((f) => f.name));
  const rest = FLOW_FIELDS.filter((f) => !seen.has(f.name));
  return [...chosen, ...rest].map((f) => ({
    name: f.column === "region" ? "record_region" : f.column,
    type: f.type,
  }));
}

/** Parses a LogFormat as CreateFlowLogs takes it (`${version} ${account-id} ...`) or a header line. */
export function parseLogFormat(format: string): string[] {
  return format
    .trim()
    .split(/\s+/)
    .map((token) => token.replace(/^\$\{|\}$/g, ""));
}

// A type alias (not an interface) so it is assignable to Record<string, string>.
export type CatalogTemplateValues = {
  FLOW_LOG_BUCKET: string;
  FLOW_LOG_PREFIX: string;
  FLOW_LOG_ACCOUNTS: string;
  REGIONS: string;
  LAKE_BUCKET: string;
  CUR_BUCKET: string;
  CUR_PREFIX: string;
  CUR_EXPORT_NAME: string;
};

/**
 * Every table's Glue arguments, from the DDL files under `root`. `flowLogFormat` (the flow log's
 * LogFormat) reorders the text table's columns; the Parquet tables match by name and need none.
 */
export function catalogTables(options: {
  root: string;
  databaseName: string;
  values: CatalogTemplateValues;
  flowLogFormat?: ReadonlyArray<string>;
  files?: ReadonlyArray<DdlFile>;
}): GlueTableArgs[] {
  return (options.files ?? DDL_FILES).map((file) => {
    const sql = readFileSync(join(options.root, DDL_DIR, file), "utf8");
    const filled = fillTemplate(file, sql, options.values);
    const args = glueTableArgs(parseTableDdl(file, filled), options.databaseName);
    if (file === "raw_flow_logs.sql" && options.flowLogFormat) {
      args.storageDescriptor.columns = rawFlowLogColumns(options.flowLogFormat);
    }
    return args;
  });
}
