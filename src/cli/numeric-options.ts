import { InvalidArgumentError } from 'commander';
import { parseMemory } from '../core/parse-memory.js';

/**
 * Parsers for option values (commander's argParser). They throw InvalidArgumentError, which
 * commander reports as `error: option '--days <n>' argument '-1' is invalid. <why>` and the CLI
 * exits 2 (a usage error): the message names the option, never an internal function.
 */
export function intOption(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Expected a whole number${range(min, max)}.`);
    }
    return n;
  };
}

/** A number greater than zero (a size multiplier). */
export function positiveNumberOption() {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError('Expected a number greater than 0.');
    }
    return n;
  };
}

/** A memory size such as `8GB` or `512MiB`, in bytes (more than zero). */
export function memoryOption(value: string): number {
  let bytes: number;
  try {
    bytes = parseMemory(value);
  } catch {
    throw new InvalidArgumentError('Expected a size such as 8GB or 512MiB.');
  }
  if (bytes <= 0) throw new InvalidArgumentError('Expected a size greater than 0.');
  return bytes;
}

function range(min: number, max: number): string {
  const lo = min > Number.MIN_SAFE_INTEGER;
  const hi = max < Number.MAX_SAFE_INTEGER;
  if (lo && hi) return ` from ${min} to ${max}`;
  if (lo) return ` of at least ${min}`;
  return hi ? ` of at most ${max}` : '';
}
