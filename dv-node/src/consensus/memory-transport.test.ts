import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, exponentialRoundTimer, linearRoundTimer } from './clock.ts';
import { MemoryNetwork } from './memory-transport.ts';

function wire(n: number, seed: number, faults = {}) {
  const clock = new FakeClock();
  const net = new MemoryNetwork({ n, clock, seed, faults });
  const inbox: string[][] = Array.from({ length: n }, () => []);
  const eps = Array.from({ length: n }, (_, i) => {
    const ep = net.endpoint(i);
    ep.onMessage((b) => inbox[i]!.push(new TextDecoder().decode(b)));
    return ep;
  });
  const say = (i: number, s: string) => eps[i]!.broadcast(new TextEncoder().encode(s));
  return { clock, net, inbox, eps, say };
}

test('fake clock fires timers in time order, then creation order, and never early', () => {
  const c = new FakeClock(100);
  const log: string[] = [];
  c.setTimeout(() => log.push('b'), 20);
  c.setTimeout(() => log.push('a'), 10);
  c.setTimeout(() => log.push('c'), 20);
  const x = c.setTimeout(() => log.push('x'), 5);
  x.cancel();
  c.advance(15);
  assert.deepEqual(log, ['a']);
  assert.equal(c.now(), 115);
  c.advance(100);
  assert.deepEqual(log, ['a', 'b', 'c']);
  assert.equal(c.pending, 0);
});

test('round timers: linear (Charon-like) and exponential', () => {
  const lin = linearRoundTimer();
  assert.deepEqual([1, 2, 3].map(lin), [750, 1000, 1250]);
  const exp = exponentialRoundTimer(100, 1000);
  assert.deepEqual([1, 2, 3, 4, 5].map(exp), [100, 200, 400, 800, 1000]);
  assert.throws(() => linearRoundTimer(0), /round timer needs base > 0/);
});

test('broadcast reaches every other member (not the sender); partitions and crashes cut links', () => {
  const { clock, net, inbox, say } = wire(4, 1);
  say(0, 'hello');
  clock.advance(0);
  assert.deepEqual(inbox.map((x) => x.length), [0, 1, 1, 1]);
  net.partition([0, 1]);
  say(0, 'p');
  say(2, 'q');
  clock.advance(0);
  assert.deepEqual(inbox.map((x) => x.filter((s) => s !== 'hello')), [[], ['p'], [], ['q']]);
  net.heal();
  net.crash(3);
  say(0, 'r');
  clock.advance(0);
  assert.deepEqual(inbox.map((x) => x.includes('r')), [false, true, true, false]);
});

test('delays reorder, duplicates duplicate, drops drop — identically for the same seed', () => {
  const run = (seed: number) => {
    const { clock, net, inbox, say } = wire(2, seed, { maxDelayMs: 100, duplicateRate: 0.2, dropRate: 0.2 });
    for (let k = 0; k < 200; k++) say(0, String(k));
    clock.advance(1000);
    return { got: inbox[1]!, stats: { ...net.stats } };
  };
  const a = run(7);
  assert.deepEqual(run(7), a, 'same seed, same outcome');
  assert.notDeepEqual(run(8).got, a.got, 'another seed, another outcome');
  assert.ok(a.stats.dropped > 10 && a.stats.dropped < 80, `dropped ${a.stats.dropped}`);
  assert.ok(a.stats.duplicated > 10, `duplicated ${a.stats.duplicated}`);
  assert.equal(a.got.length, 200 - a.stats.dropped + a.stats.duplicated);
  const order = a.got.map(Number);
  assert.ok(order.some((v, i) => i > 0 && v < order[i - 1]!), 'some messages overtook others');
  assert.throws(() => new MemoryNetwork({ n: 2, clock: new FakeClock(), faults: { dropRate: 2 } }), /dropRate must be in \[0, 1\]/);
});
