import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SUBGRAPH_DIR } from '../../scripts/generate.ts';
import { EntityStore, StoreKind, loadSchema, type EntityData, type StoreValue } from './store.ts';

const schema = loadSchema(join(SUBGRAPH_DIR, 'schema.graphql'));
const big = (v: bigint): StoreValue => ({ kind: StoreKind.BIGINT, value: v });
const bytes = (hex: string): StoreValue => ({ kind: StoreKind.BYTES, value: Buffer.from(hex, 'hex') });

function guardian(active: boolean): EntityData {
  return new Map<string, StoreValue>([
    ['id', bytes('aa'.repeat(20))],
    ['active', { kind: StoreKind.BOOL, value: active }],
    ['pauses', { kind: StoreKind.INT, value: 0 }],
  ]);
}

test('the schema parser sees entities, immutability, required, list and derived fields, enums', () => {
  const stake = schema.entities.get('Stake')!;
  assert.equal(stake.immutable, true);
  assert.equal(schema.entities.get('Protocol')!.immutable, false);
  assert.deepEqual(stake.fields.get('receiver'), { name: 'receiver', type: 'Staker', list: false, required: true, derived: false });
  assert.equal(schema.entities.get('Staker')!.fields.get('stakes')!.derived, true);
  assert.equal(schema.entities.get('Cluster')!.fields.get('members')!.list, true);
  assert.ok(schema.enums.get('WithdrawalStatus')!.has('FINALIZED'));
});

test('the store rejects what graph-node rejects: missing required, wrong kind, unknown field, enum value, immutable overwrite', () => {
  const store = new EntityStore(schema);
  store.set('Guardian', '0x' + 'aa'.repeat(20), guardian(true));
  assert.equal(store.plain('Guardian', '0x' + 'aa'.repeat(20))!.active, true);
  const missing = guardian(true);
  missing.delete('pauses');
  assert.throws(() => store.set('Guardian', 'x', missing), /required field pauses is missing/);
  const wrong = guardian(true);
  wrong.set('pauses', big(1n));
  assert.throws(() => store.set('Guardian', 'x', wrong), /pauses \(Int\) got a value of kind 7/);
  const unknown = guardian(true);
  unknown.set('colour', { kind: StoreKind.STRING, value: 'red' });
  assert.throws(() => store.set('Guardian', 'x', unknown), /field colour is not in the schema/);
  assert.throws(() => store.set('Nope', 'x', guardian(true)), /unknown entity type Nope/);

  const limit = new Map<string, StoreValue>([
    ['id', { kind: StoreKind.STRING, value: '0' }],
    ['name', { kind: StoreKind.STRING, value: 'PositiveRebase' }],
    ['value', big(1n)],
    ['updatedAt', big(1n)],
  ]);
  store.set('SanityLimit', '0', limit);
  const vote = new Map<string, StoreValue>([
    ['id', { kind: StoreKind.STRING, value: 'v' }],
    ['frame', { kind: StoreKind.STRING, value: '1' }],
    ['member', bytes('bb'.repeat(20))],
    ['report', bytes('cc'.repeat(32))],
    ['blockNumber', big(1n)],
    ['timestamp', big(1n)],
    ['transaction', bytes('dd'.repeat(32))],
  ]);
  store.set('ConsensusVote', 'v', vote);
  assert.throws(() => store.set('ConsensusVote', 'v', vote), /ConsensusVote v is immutable and already exists/);
  const req = new Map<string, StoreValue>([['status', { kind: StoreKind.STRING, value: 'LOST' }]]);
  assert.throws(() => store.set('WithdrawalRequest', '1', req), /status = 'LOST' is not a WithdrawalStatus/);
});
