/** Fetcher: unsigned duty data from the beacon node, by the duty's kind. */
import type { Duty, DutyDefinition, DutyKind, DutyType, Fetcher, FetchContext } from './types.ts';

export class BeaconFetcher implements Fetcher {
  constructor(
    private readonly ctx: FetchContext,
    private readonly kinds: ReadonlyMap<DutyType, DutyKind>,
  ) {}

  fetch(duty: Duty, defs: readonly DutyDefinition[]): Promise<Uint8Array> {
    const kind = this.kinds.get(duty.type);
    if (kind === undefined) return Promise.reject(new Error(`no duty kind for ${duty.type}`));
    return kind.fetch(this.ctx, duty, defs);
  }
}
