import type { z } from 'zod';
import { SluiceError } from '../core/errors.js';

/**
 * Validate a message that crossed a process or queue boundary against its schema. `what` names
 * it in the error (e.g. `work item r1/fct_x/0: spec`): a PROTOCOL_INVALID SluiceError listing
 * the first problems by path.
 */
export function parseMessage<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : '';
  throw new SluiceError('PROTOCOL_INVALID', `${what} is not valid: ${problems.join('; ')}${more}`, {
    cause: parsed.error,
  });
}

/** `parseMessage` of a JSON text; text that is not JSON is a PROTOCOL_INVALID error too. */
export function parseJsonMessage<S extends z.ZodType>(schema: S, json: string, what: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new SluiceError('PROTOCOL_INVALID', `${what} is not valid JSON`, { cause: err });
  }
  return parseMessage(schema, value, what);
}
