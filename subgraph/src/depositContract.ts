// The chain's deposit contract: a DepositEvent in a transaction where the registry handed keys to the router
// (KeysDeposited) is one of ours; it gets the next (cluster, key index) slot of that transaction, in order.
// Every other deposit on the chain is ignored.
import { BigInt } from '@graphprotocol/graph-ts';
import { DepositEvent } from '../generated/DepositContract/DepositContract';
import { BeaconDeposit, Cluster, PendingKeySlot, Validator, ValidatorKey } from '../generated/schema';
import { eventId } from './helpers';

export function handleDepositEvent(event: DepositEvent): void {
  let slots = PendingKeySlot.load(event.transaction.hash.toHexString());
  if (slots == null) return; // not a protocol deposit
  let i = slots.next;
  if (i >= slots.clusters.length) throw new Error('more deposits than keys handed out in tx ' + slots.id);
  let clusterId = slots.clusters[i];
  let keyIndex = slots.keyIndexes[i];
  slots.next = i + 1;
  slots.save();

  let e = event.params;
  let v = Validator.load(e.pubkey);
  if (v == null) {
    v = new Validator(e.pubkey);
    v.status = 'DEPOSITED';
  }
  v.cluster = clusterId;
  v.keyIndex = keyIndex;
  // the deposit contract encodes amount and index as little-endian uint64 (consensus specs, DepositEvent)
  v.depositIndex = BigInt.fromUnsignedBytes(e.index);
  v.depositedAt = event.block.timestamp;
  v.save();

  let d = new BeaconDeposit(eventId(event));
  d.validator = v.id;
  d.pubkey = e.pubkey;
  d.withdrawalCredentials = e.withdrawal_credentials;
  d.amountGwei = BigInt.fromUnsignedBytes(e.amount);
  d.depositIndex = v.depositIndex as BigInt;
  d.blockNumber = event.block.number;
  d.timestamp = event.block.timestamp;
  d.transaction = event.transaction.hash;
  d.save();

  let c = Cluster.load(clusterId);
  if (c == null) throw new Error('deposit for unknown cluster ' + clusterId);
  let k = new ValidatorKey(clusterId + '-' + keyIndex.toString());
  k.validator = v.id;
  k.save();
}
