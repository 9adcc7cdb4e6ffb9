/**
 * The accounts a worker is told about at start (registry.ts): SESSION_ACCOUNTS_FILE is read
 * whole or refused with the file named, SESSION_SEED_ACCOUNTS adds what the file lacks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredAccounts, parseSeedAccounts, readAccountsFile } from '../src/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'accounts-file-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('SESSION_ACCOUNTS_FILE', () => {
  it('reads an array of account records as the admin API takes them', async () => {
    const path = file(
      'ok.json',
      JSON.stringify([
        { uin: 10001, options: { url: 'http://sim:5900' } },
        { uin: 30001, driver: 'onebot', options: { url: 'ws://napcat:3001' }, enabled: false },
      ]),
    );
    expect(await readAccountsFile(path)).toEqual([
      { uin: 10001, driver: 'simulator', options: { url: 'http://sim:5900' }, enabled: true },
      { uin: 30001, driver: 'onebot', options: { url: 'ws://napcat:3001' }, enabled: false },
    ]);
    expect(await readAccountsFile(undefined)).toEqual([]);
    expect(await readAccountsFile(file('empty.json', '[]'))).toEqual([]);
  });

  it('refuses a missing file, bad JSON, a bad record or a uin declared twice, naming the file', async () => {
    await expect(readAccountsFile(join(dir, 'absent.json'))).rejects.toThrow(
      /SESSION_ACCOUNTS_FILE .*absent\.json/,
    );
    await expect(readAccountsFile(file('bad.json', '[{'))).rejects.toThrow(/not JSON/);
    await expect(readAccountsFile(file('obj.json', '{"uin": 1}'))).rejects.toThrow(/array/);
    await expect(readAccountsFile(file('rec.json', '[{"uin": -4}]'))).rejects.toThrow(/0\.uin/);
    await expect(readAccountsFile(file('twice.json', '[{"uin": 5}, {"uin": 5}]'))).rejects.toThrow(
      /declared twice/,
    );
  });

  it('the seeded uins add what the file does not declare; the file wins', () => {
    const fromFile = [
      { uin: 10001, driver: 'onebot' as const, options: { url: 'ws://x' }, enabled: true },
    ];
    const seeded = parseSeedAccounts('10001,10002', 'http://sim:5900');
    expect(declaredAccounts(fromFile, seeded).map(r => [r.uin, r.driver])).toEqual([
      [10001, 'onebot'],
      [10002, 'simulator'],
    ]);
  });
});
