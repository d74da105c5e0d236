export { type Discovery, discoverInputs } from "./discovery.ts";
export { DuckDbEngine, type DuckDbEngineOptions } from "./engine/duckdb-engine.ts";
export { type PipelineResult, runPipeline } from "./pipeline.ts";
export { type GeneratedScenario, generateScenario, type ScenarioOptions } from "./scenario/write.ts";
