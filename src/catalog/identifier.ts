import { z } from 'zod';
import { SluiceError } from '../core/errors.js';

/** Model, source, business unit, queue, tag and column names: lowercase SQL identifiers. */
export const IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_]*$/;
export const IDENTIFIER_MAX_LENGTH = 63;

export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && value.length <= IDENTIFIER_MAX_LENGTH && IDENTIFIER_PATTERN.test(value);
}

/** Why `value` is not an identifier, or undefined when it is one. */
export function identifierError(value: string): string | undefined {
  if (isIdentifier(value as unknown)) return undefined;
  if (value.length === 0) return 'is empty';
  if (value.length > IDENTIFIER_MAX_LENGTH) return `is longer than ${IDENTIFIER_MAX_LENGTH} characters`;
  const reasons: string[] = [];
  if (/[A-Z]/.test(value)) reasons.push('has uppercase letters');
  const bad = [...new Set([...value].filter((c) => !/[a-zA-Z0-9_]/.test(c)))];
  if (bad.length > 0)
    reasons.push(`has characters other than a-z, 0-9 and _ (${bad.map((c) => JSON.stringify(c)).join(', ')})`);
  if (/^[0-9]/.test(value)) reasons.push('starts with a digit');
  if (reasons.length > 0) {
    const hint = isIdentifier(value.toLowerCase() as unknown) ? ` (use '${value.toLowerCase()}')` : '';
    return `is not a lowercase identifier: it ${reasons.join(' and ')}${hint}`;
  }
  return 'must start with a lowercase letter or _';
}

/** Throws SluiceError CONFIG_INVALID naming `what` (e.g. "model name") when `value` is not an identifier. */
export function assertIdentifier(value: string, what: string): void {
  const why = identifierError(value);
  if (why !== undefined) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `${what} ${JSON.stringify(value)} ${why}; expected ${IDENTIFIER_PATTERN.source}, at most ${IDENTIFIER_MAX_LENGTH} characters`,
    );
  }
}

/** A zod schema for identifiers, with a message saying what is wrong. */
export const identifierSchema = z.string({ error: 'expected a name (string)' }).check((ctx) => {
  const why = identifierError(ctx.value);
  if (why !== undefined) {
    ctx.issues.push({ code: 'custom', input: ctx.value, message: `${JSON.stringify(ctx.value)} ${why}` });
  }
});
