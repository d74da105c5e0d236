import { z } from "zod";
import { errorBodySchema as errorSchema } from "./responses.ts";
import { OPENAPI_PATH, ROUTES } from "./routes.ts";

/**
 * The OpenAPI 3.1 document of the served routes, generated from the zod schemas that validate the
 * requests (zod 4's JSON Schema output is draft 2020-12, OpenAPI 3.1's schema dialect), so the
 * document cannot list a parameter the API does not take or miss one it does.
 */

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodObject, where: "query" | "path") {
  return Object.entries(schema.shape).map(([name, field]) => {
    const f = field as z.ZodType;
    const { description, ...rest } = jsonSchema(f, "input");
    return {
      name,
      in: where,
      required: where === "path" || !f.safeParse(undefined).success,
      ...(typeof description === "string"
        ? { description }
        : f.description
          ? { description: f.description }
          : {}),
      schema: rest,
    };
  });
}

const errorRef = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const componentName = (operationId: string) =>
  `${operationId.charAt(0).toUpperCase()}${operationId.slice(1)}Response`;

export function openApiDocument(): JsonSchema {
  const schemas: Record<string, JsonSchema> = { Error: jsonSchema(errorSchema, "output") };
  const paths: Record<string, JsonSchema> = {};
  for (const route of ROUTES) {
    const name = componentName(route.operationId);
    schemas[name] = jsonSchema(route.response, "output");
    const content: Record<string, JsonSchema> = {
      "application/json": { schema: { $ref: `#/components/schemas/${name}` } },
    };
    for (const type of route.alternatives ?? []) content[type] = { schema: { type: "string" } };
    paths[route.path] = {
      get: {
        operationId: route.operationId,
        summary: route.summary,
        description: route.description,
        parameters: [
          ...(route.pathParams ? parameters(route.pathParams, "path") : []),
          ...parameters(route.query, "query"),
        ],
        responses: {
          "200": {
            description: "OK; ETag and Cache-Control set, gzip when the client accepts it",
            headers: {
              ETag: { schema: { type: "string" } },
              "Cache-Control": { schema: { type: "string" } },
            },
            content,
          },
          "304": { description: "Not Modified: If-None-Match named the current ETag" },
          "400": errorRef("a parameter is invalid or unknown: the body names it and its allowed values"),
          "401": errorRef("no or wrong credentials (bearer token for flowcost serve; SigV4 for API Gateway)"),
          ...(route.notFound ? { "404": errorRef(route.notFound) } : {}),
          "500": errorRef("internal error; details only in the server log, under the request id"),
        },
      },
    };
  }
  paths[OPENAPI_PATH] = {
    get: {
      operationId: "getOpenApi",
      summary: "This document",
      description: "OpenAPI 3.1, generated from the zod schemas that validate requests.",
      parameters: [],
      responses: {
        "200": { description: "OK", content: { "application/json": { schema: { type: "object" } } } },
        "401": errorRef("no or wrong credentials"),
      },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "flowcost API",
      version: "1.0.0",
      description:
        "Network cost of Amazon EKS workloads (cross-AZ, NAT gateway, load balancer, VPC endpoint), reconciled to the CUR. Served by API Gateway v2 (IAM/SigV4) in AWS and by `flowcost serve` (bearer token) on localhost, from the same precomputed day documents.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    security: [{ bearer: [] }, { sigv4: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "flowcost serve: the token it printed at start, or FLOWCOST_TOKEN",
        },
        sigv4: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: "API Gateway IAM authorisation: requests signed with AWS Signature Version 4",
        },
      },
    },
  };
}
