/**
 * GET /eth/v1/events (server-sent events) for the topics a validator client uses: `head`, `block`,
 * `finalized_checkpoint` (JSON fields as ethereum/beacon-APIs defines them). Other topics are accepted and never fire.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bytesToHex } from 'viem';
import type { BeaconChain } from '../chain.ts';
import { HttpError, type BeaconApiRouter } from './router.ts';

const TOPICS = new Set(['head', 'block', 'finalized_checkpoint', 'chain_reorg', 'attestation', 'voluntary_exit', 'contribution_and_proof', 'payload_attributes', 'blob_sidecar', 'light_client_finality_update', 'light_client_optimistic_update', 'block_gossip', 'attester_slashing', 'proposer_slashing', 'bls_to_execution_change', 'single_attestation', 'data_column_sidecar']);

export function attachEvents(router: BeaconApiRouter, chain: BeaconChain): void {
  const clients = new Set<{ res: ServerResponse; topics: Set<string> }>();
  let lastFinalized = chain.s.finalized.epoch;
  const send = (topic: string, data: Record<string, unknown>) => {
    for (const c of clients) if (c.topics.has(topic)) c.res.write(`event: ${topic}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  chain.onImported((ev) => {
    if (clients.size === 0) return;
    const spe = chain.opts.slotsPerEpoch;
    const epoch = Math.floor(ev.slot / spe);
    const stateRoot = bytesToHex(chain.blocks.get(bytesToHex(ev.root))!.signed.message.stateRoot);
    const dep = (slot: number) => bytesToHex(slot < 0 ? chain.genesisBlockRoot : chain.blockRootAtSlot(slot));
    send('block', { slot: String(ev.slot), block: bytesToHex(ev.root), execution_optimistic: false });
    send('head', {
      slot: String(ev.slot), block: bytesToHex(ev.root), state: stateRoot, epoch_transition: ev.slot % spe === 0,
      previous_duty_dependent_root: dep((epoch - 1) * spe - 1), current_duty_dependent_root: dep(epoch * spe - 1), execution_optimistic: false,
    });
    const f = chain.s.finalized;
    if (f.epoch !== lastFinalized) {
      lastFinalized = f.epoch;
      send('finalized_checkpoint', { block: bytesToHex(f.root), state: stateRoot, epoch: String(f.epoch), execution_optimistic: false });
    }
  });
  router.raw('GET', '/eth/v1/events', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const topics = url.searchParams.getAll('topics').flatMap((t) => t.split(',')).filter(Boolean);
    if (topics.length === 0) throw new HttpError(400, "querystring must have required property 'topics'");
    for (const t of topics) if (!TOPICS.has(t)) throw new HttpError(400, `Invalid topic: ${t}`);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    const c = { res, topics: new Set(topics) };
    clients.add(c);
    res.on('close', () => clients.delete(c));
  });
}
