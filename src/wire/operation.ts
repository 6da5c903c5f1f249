import type { GenericSchema } from "valibot";
import type { FormParams } from "./query.ts";
import type { XmlElement } from "./xml.ts";

/**
 * One STS operation: everything the shared pipeline needs to send it and read its answer.
 * Each lives in its own file under `src/operations/`.
 */
export interface Operation<Input, Output> {
  /** The STS `Action`, e.g. `AssumeRoleWithWebIdentity`. */
  readonly action: string;
  /** `false` for the operations STS marks `noAuth` (they go out unsigned). */
  readonly signed: boolean;
  /** The model's rules for the input. */
  readonly schema: GenericSchema<Input, Input>;
  /** Members whose values are secret: never echoed in a validation message. */
  readonly secretMembers?: readonly string[];
  /** The form parameters for an already validated input (without `Action`/`Version`). */
  serialize(input: Input): FormParams;
  /** Reads the `<{Action}Result>` element into the output (the pipeline adds `requestId`). */
  parse(result: XmlElement | undefined): Output;
}

/** The STS API version every request names. */
export const API_VERSION = "2011-06-15";

