import type { DkgFailureReason, DkgPhase } from './types.ts';

/** The ceremony failed; `culprits` are operator indices (0-based, definition order) held responsible, if any. */
export class DkgCeremonyError extends Error {
  override name = 'DkgCeremonyError';
  readonly reason: DkgFailureReason;
  readonly phase: DkgPhase;
  readonly culprits: number[];
  constructor(reason: DkgFailureReason, phase: DkgPhase, culprits: readonly number[], message: string) {
    super(`DKG aborted in phase ${phase} (${reason}): ${message}`);
    this.reason = reason;
    this.phase = phase;
    this.culprits = [...new Set(culprits)].sort((a, b) => a - b);
  }
}
