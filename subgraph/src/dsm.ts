// DepositSecurityModule: guardians, their deposit pauses and the attestations deposits were made under.
import { Bytes } from '@graphprotocol/graph-ts';
import {
  DepositsAttested,
  DepositsPaused,
  GuardianAdded,
  GuardianRemoved,
} from '../generated/DepositSecurityModule/DepositSecurityModule';
import { DepositAttestation, Guardian } from '../generated/schema';
import { eventId } from './helpers';

function loadGuardian(address: Bytes): Guardian {
  let g = Guardian.load(address);
  if (g == null) {
    g = new Guardian(address);
    g.active = false;
    g.pauses = 0;
  }
  return g;
}

export function handleGuardianAdded(event: GuardianAdded): void {
  let g = loadGuardian(event.params.guardian);
  g.active = true;
  g.save();
}

export function handleGuardianRemoved(event: GuardianRemoved): void {
  let g = loadGuardian(event.params.guardian);
  g.active = false;
  g.save();
}

export function handleDepositsPaused(event: DepositsPaused): void {
  let g = loadGuardian(event.params.guardian);
  g.pauses = g.pauses + 1;
  g.save();
}

export function handleDepositsAttested(event: DepositsAttested): void {
  let e = event.params;
  let a = new DepositAttestation(eventId(event));
  a.moduleId = e.moduleId;
  a.attestedBlock = e.blockNumber;
  a.depositRoot = e.depositRoot;
  a.nonce = e.nonce;
  a.deposited = e.deposited;
  a.blockNumber = event.block.number;
  a.timestamp = event.block.timestamp;
  a.transaction = event.transaction.hash;
  a.save();
}
