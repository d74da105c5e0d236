import { resolve } from "node:path";
import { lakeResultsStore } from "../../lake/results-files.ts";
import { finishInterruptedPublish } from "../../lake/run-lock.ts";
import { generateToken, startServer } from "../../serve/server.ts";
import { defineCommand, EXIT, UsageError } from "../command.ts";
import { pathKind, stringOption } from "../options.ts";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export const serveCommand = defineCommand({
  name: "serve",
  synopsis: "<folder> [options]",
  summary: "serve the analysed folder's results over the HTTP API on localhost",
  details: [
    "Serves the same API as the AWS deployment (GET /v1/costs, /v1/flows, /v1/coverage, ...;",
    "the OpenAPI document at /v1/openapi.json) from the day documents `flowcost analyze` or",
    "`flowcost demo` wrote into <folder>/results/summary/. Every request needs",
    "Authorization: Bearer <token>: FLOWCOST_TOKEN if set, else a token generated and printed at start.",
    "Stops on Ctrl-C.",
  ].join("\n"),
  options: {
    port: { type: "string", value: "<port>", help: "TCP port (default 8787; 0 picks a free one)" },
    host: {
      type: "string",
      value: "<address>",
      help: "address to bind (default 127.0.0.1; anything else exposes cost data\nbeyond this machine)",
    },
    "cors-origin": {
      type: "string",
      value: "<origin>",
      help: "let a browser app at this origin call the API (e.g. http://localhost:3000);\nCORS is off without it",
    },
  },
  parse(values, positionals) {
    if (positionals.length !== 1)
      throw new UsageError(
        `serve needs exactly one folder: flowcost serve <folder>${positionals.length ? ` (got ${positionals.map((p) => `"${p}"`).join(" ")})` : ""}`,
      );
    const folder = resolve(positionals[0] ?? "");
    if (pathKind(folder) !== "folder") throw new UsageError(`<folder> ${positionals[0]}: not a folder`);
    const portText = stringOption(values, "port") ?? "8787";
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535)
      throw new UsageError(`--port must be an integer from 0 to 65535, not "${portText}"`);
    const cors = stringOption(values, "cors-origin");
    if (cors !== undefined && !/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?$/.test(cors))
      throw new UsageError(`--cors-origin must be an origin such as http://localhost:3000, not "${cors}"`);
    const token = process.env.FLOWCOST_TOKEN;
    if (token !== undefined && token.length < 16)
      throw new UsageError("FLOWCOST_TOKEN must be at least 16 characters (or unset, to generate one)");
    return { folder, port, host: stringOption(values, "host") ?? "127.0.0.1", corsOrigin: cors, token };
  },
  async run(options, io) {
    // A run killed while publishing is finished first: never read a mix of two runs.
    await finishInterruptedPublish(options.folder);
    const days = await lakeResultsStore(options.folder).listDays();
    if (days.length === 0)
      io.err.write(
        `flowcost serve: ${options.folder} holds no results yet (results/summary/); run flowcost analyze ${options.folder} first. Serving anyway.\n`,
      );
    const token = options.token ?? generateToken();
    const server = await startServer({
      lakeDir: options.folder,
      token,
      host: options.host,
      port: options.port,
      corsOrigin: options.corsOrigin,
      log: (entry) => io.err.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`),
    });
    if (!LOOPBACK.has(options.host))
      io.err.write(`flowcost serve: bound to ${options.host}: the API is reachable beyond this machine\n`);
    io.err.write(
      [
        `flowcost serve: ${days.length} day(s) of results in ${options.folder}`,
        `listening on ${server.url}`,
        options.token === undefined ? `token: ${token}` : "token: from FLOWCOST_TOKEN",
        `try: curl -H "Authorization: Bearer $FLOWCOST_TOKEN" ${server.url}/v1/costs`,
        "",
      ].join("\n"),
    );
    await new Promise<void>((done) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        server.close().then(done, done);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return EXIT.ok;
  },
});
