/** A mistake in the command line: printed with the usage text. */
export class UsageError extends Error {}

/** A comma-separated list, blanks dropped. */
export const list = (text: string | undefined) => (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
