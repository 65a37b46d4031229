// Shared by the CLI's argument tests.
import { parseArgs, UsageError } from '../../tools/lab/args';

/** The UsageError that parsing `argv` throws; fails if it parses. */
export function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
}
