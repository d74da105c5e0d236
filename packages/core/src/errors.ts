/** Base class so callers can tell flowcost's own failures from programming errors. */
export class FlowcostError extends Error {
  /** HTTP-style status: below 500 the message is safe to show to the caller. */
  readonly status: number;
  constructor(message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status ?? 500;
  }
}

/** Input a user supplied (a file, a parameter, a flag) is wrong; the message names it. */
export class InvalidInputError extends FlowcostError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, status: 400 });
  }
}

/** A flow-log object could not be read (bad header, truncated gzip, unknown field). */
export class FlowLogFormatError extends InvalidInputError {
  readonly file: string;
  constructor(file: string, message: string, options: { cause?: unknown } = {}) {
    super(`${file}: ${message}`, options);
    this.file = file;
  }
}

/** A query failed in an engine; carries the engine's own reason. */
export class QueryFailedError extends FlowcostError {
  readonly queryName: string;
  readonly queryId: string | undefined;
  constructor(queryName: string, reason: string, options: { cause?: unknown; queryId?: string } = {}) {
    super(`query ${queryName} failed: ${reason}`, options);
    this.queryName = queryName;
    this.queryId = options.queryId;
  }
}

export class QueryTimeoutError extends QueryFailedError {}

/** Narrow an unknown caught value to a message without serialising the object. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Allocated + unattributed dollars do not add up to the bill for a day: never publish such a day. */
export class ReconciliationError extends FlowcostError {
  readonly dt: string;
  constructor(dt: string, billedCents: number, allocatedCents: number, unattributedCents: number) {
    super(
      `reconciliation failed for ${dt}: billed ${billedCents} cents, allocated ${allocatedCents} + unattributed ${unattributedCents} = ${allocatedCents + unattributedCents} cents`,
    );
    this.dt = dt;
  }
}
