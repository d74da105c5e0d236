import { FlowLogFormatError } from "../errors.ts";
import { DEFAULT_FORMAT, type FlowField, flowField } from "./fields.ts";

/** The layout of one text flow-log object: its fields in order, from the header line. */
export interface FlowLogFormat {
  readonly fields: ReadonlyArray<FlowField>;
  /** The header line exactly as it appeared (used to group files that share a layout). */
  readonly header: string;
}

/**
 * Parses the first line of a text flow-log object. Real S3 deliveries always begin with a
 * line naming the configured fields in order; a line that starts with a digit is a record,
 * meaning the object has no header, and the default v2 layout is assumed.
 */
export function parseHeaderLine(file: string, line: string): FlowLogFormat & { hasHeader: boolean } {
  const tokens = line.trim().split(/\s+/);
  if (tokens.length === 0 || tokens[0] === "") {
    throw new FlowLogFormatError(file, "empty object: no header line");
  }
  if (/^\d/.test(tokens[0] ?? "")) {
    return { ...formatFromNames(file, DEFAULT_FORMAT), hasHeader: false };
  }
  return { ...formatFromNames(file, tokens), hasHeader: true };
}

/** Builds a layout from field names (header tokens or a flow log's LogFormat `${a} ${b}`). */
export function formatFromNames(file: string, names: ReadonlyArray<string>): FlowLogFormat {
  const fields: FlowField[] = [];
  const seen = new Set<string>();
  for (const raw of names) {
    const name = raw.replace(/^\$\{(.*)\}$/, "$1");
    const field = flowField(name);
    if (!field) {
      throw new FlowLogFormatError(file, `unknown flow-log field "${name}" in the header line`);
    }
    if (seen.has(field.name)) {
      throw new FlowLogFormatError(file, `field "${name}" appears twice in the header line`);
    }
    seen.add(field.name);
    fields.push(field);
  }
  return { fields, header: fields.map((f) => f.name).join(" ") };
}
