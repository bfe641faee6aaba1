// WithdrawalVault (withdrawal credentials, EIP-7002 exits) and ExecutionRewardsVault (fee recipient): ETH flows.
import { BigInt, Bytes, ethereum } from '@graphprotocol/graph-ts';
import { ELRewardsReceived, ELRewardsTransferred } from '../generated/ExecutionRewardsVault/ExecutionRewardsVault';
import { ExitTriggered, WithdrawalsTransferred } from '../generated/WithdrawalVault/WithdrawalVault';
import { VaultFlow } from '../generated/schema';
import { eventId } from './helpers';

function flow(event: ethereum.Event, vault: string, kind: string, amount: BigInt, pubkey: Bytes | null): void {
  let f = new VaultFlow(eventId(event));
  f.vault = vault;
  f.kind = kind;
  f.amount = amount;
  f.pubkey = pubkey;
  f.blockNumber = event.block.number;
  f.timestamp = event.block.timestamp;
  f.transaction = event.transaction.hash;
  f.save();
}

export function handleWithdrawalsTransferred(event: WithdrawalsTransferred): void {
  flow(event, 'WithdrawalVault', 'WithdrawalsTransferred', event.params.amount, null);
}

export function handleExitTriggered(event: ExitTriggered): void {
  flow(event, 'WithdrawalVault', 'ExitTriggered', event.params.fee, event.params.pubkey);
}

export function handleELRewardsReceived(event: ELRewardsReceived): void {
  flow(event, 'ExecutionRewardsVault', 'ELRewardsReceived', event.params.amount, null);
}

export function handleELRewardsTransferred(event: ELRewardsTransferred): void {
  flow(event, 'ExecutionRewardsVault', 'ELRewardsTransferred', event.params.amount, null);
}
