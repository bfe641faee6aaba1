import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bigintFromLeBytes,
  bigintToLeBytes,
  decimalDiv,
  decimalFromString,
  decimalMinus,
  decimalPlus,
  decimalTimes,
  decimalToString,
} from './numbers.ts';

test('BigInt bytes are minimal signed little-endian and round-trip', () => {
  for (const v of [0n, 1n, 127n, 128n, 255n, 256n, -1n, -128n, -129n, 10n ** 27n, -(10n ** 30n) + 7n, 2n ** 255n]) {
    assert.equal(bigintFromLeBytes(bigintToLeBytes(v)), v, `round trip of ${v}`);
  }
  assert.deepEqual([...bigintToLeBytes(128n)], [0x80, 0x00]);
  assert.deepEqual([...bigintToLeBytes(-1n)], [0xff]);
  assert.deepEqual([...bigintToLeBytes(0n)], [0x00]);
});

test('BigDecimal: exact sums and products, 34 significant digits on division, plain rendering', () => {
  const d = decimalFromString;
  assert.equal(decimalToString(decimalPlus(d('1.25'), d('0.75'))), '2');
  assert.equal(decimalToString(decimalMinus(d('1'), d('1.5'))), '-0.5');
  assert.equal(decimalToString(decimalTimes(d('1.5'), d('-2'))), '-3');
  assert.equal(decimalToString(decimalDiv(d('1'), d('3'))), `0.${'3'.repeat(34)}`);
  assert.equal(decimalToString(decimalDiv(d('2'), d('3'))), `0.${'6'.repeat(33)}7`);
  assert.equal(decimalToString(d('1e27')), `1${'0'.repeat(27)}`);
  assert.equal(decimalToString(d('0.000123')), '0.000123');
  assert.throws(() => decimalDiv(d('1'), d('0')), /division by zero/);
  assert.throws(() => d('1.2.3'), /invalid BigDecimal string/);
});
