/**
 * One error type for the whole of yasr. Every error carries a machine-readable `code` and the
 * process exit status the CLI uses for it. Messages quote the offending value or file.
 */
export type YasrErrorCode =
  | 'BAD_PARAMETER'
  | 'DECODE_FAILED'
  | 'NO_FFMPEG'
  | 'ANALYSIS_FAILED'
  | 'STORE'
  | 'NETWORK'
  | 'NOT_FOUND'
  | 'AMBIGUOUS'
  | 'BAD_INPUT'
  | 'LOCKED'
  | 'INTERNAL';

const EXIT_STATUS: Record<YasrErrorCode, number> = {
  BAD_PARAMETER: 2,
  BAD_INPUT: 2,
  NOT_FOUND: 3,
  AMBIGUOUS: 3,
  NO_FFMPEG: 4,
  DECODE_FAILED: 5,
  ANALYSIS_FAILED: 5,
  NETWORK: 6,
  STORE: 7,
  LOCKED: 8,
  INTERNAL: 1,
};

export class YasrError extends Error {
  readonly code: YasrErrorCode;
  readonly exitStatus: number;
  readonly details?: Record<string, unknown>;

  constructor(code: YasrErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'YasrError';
    this.code = code;
    this.exitStatus = EXIT_STATUS[code];
    this.details = details;
  }
}

/** A bad parameter value; the message quotes it. */
export function badParameter(name: string, value: unknown, expected: string): YasrError {
  return new YasrError(
    'BAD_PARAMETER',
    `invalid ${name}: ${JSON.stringify(value)} (expected ${expected})`,
    { name, value },
  );
}

/** One line describing any thrown value, for failure records. */
export function errorLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').map((s) => s.trim()).filter(Boolean).join(' | ').slice(0, 2000);
}

/** An error raised by the database itself: SQLite (full disk, read-only file, corruption, busy) or PostgreSQL (code PG_<SQLSTATE>). */
export function isStoreError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_') || code.startsWith('PG_'));
}

/** A SQLite error as a one-line STORE YasrError (a YasrError passes through). */
export function storeError(err: unknown, what = 'database'): YasrError {
  if (err instanceof YasrError) return err;
  const code = (err as { code?: string }).code ?? 'SQLITE';
  const hint = code.startsWith('SQLITE_FULL')
    ? ': the disk is full; free space and run the command again (finished work is kept)'
    : code.startsWith('SQLITE_READONLY')
      ? ': the database is read-only'
      : '';
  return new YasrError('STORE', `${what}: ${errorLine(err)} (${code})${hint}`);
}
