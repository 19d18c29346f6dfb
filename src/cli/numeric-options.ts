import { SluiceError } from '../core/errors.js';

export function intOption(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new SluiceError('CLI_USAGE', `${flag} must be a whole number, got '${value}'`);
    return n;
  };
}

export function numberOption(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new SluiceError('CLI_USAGE', `${flag} must be a number, got '${value}'`);
    return n;
  };
}
