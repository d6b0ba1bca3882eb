/** What a long-running stage reports; the CLI renders it as a bar or as plain lines. */
export interface ProgressSink {
  start(total: number, label: string): void;
  /** One item finished; `ok` false for a failure (the message carries the reason). */
  tick(message: string, ok: boolean): void;
  stop(): void;
}

export const silentProgress: ProgressSink = { start() {}, tick() {}, stop() {} };
