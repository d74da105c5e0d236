import { defineCommand, EXIT, UsageError } from "../command.ts";
import { analyzeJsonSchema } from "../output.ts";

export const schemaCommand = defineCommand({
  name: "schema",
  synopsis: "",
  summary: "print the JSON Schema of --format json output",
  options: {},
  parse(_values, positionals) {
    if (positionals.length > 0)
      throw new UsageError(`schema takes no arguments, got "${positionals.join(" ")}"`);
    return {};
  },
  async run(_options, io) {
    io.out.write(analyzeJsonSchema());
    return EXIT.ok;
  },
});
