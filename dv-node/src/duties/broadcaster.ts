/** Broadcaster: submits the group-signed duty to the beacon node, by the duty's kind. */
import type { BeaconClient } from '../beacon/client.ts';
import type { Broadcaster, Duty, DutyDefinition, DutyKind, DutyType, Hex } from './types.ts';

export class BeaconBroadcaster implements Broadcaster {
  constructor(
    private readonly beacon: BeaconClient,
    private readonly kinds: ReadonlyMap<DutyType, DutyKind>,
  ) {}

  broadcast(duty: Duty, value: Uint8Array, defs: readonly DutyDefinition[], sigs: ReadonlyMap<Hex, Uint8Array>): Promise<Hex[]> {
    const kind = this.kinds.get(duty.type);
    if (kind === undefined) return Promise.reject(new Error(`no duty kind for ${duty.type}`));
    if (sigs.size === 0) return Promise.resolve([]);
    return kind.submit(this.beacon, duty, value, defs, sigs);
  }
}
