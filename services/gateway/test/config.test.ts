import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@cqfleet/gateway';

const example = join(dirname(fileURLToPath(import.meta.url)), '../examples/gateway.yaml');

describe('config file', () => {
  it('the documented example parses, with defaults filled in', () => {
    const config = loadConfig({ GATEWAY_CONFIG_FILE: example, GATEWAY_ACCESS_TOKEN: 'env' });
    expect(config.accessToken).toBe('operator-secret');
    expect(config.file.tokens.map(t => t.accounts)).toEqual([[10001], '*']);
    expect(config.file.http.message_format).toBe('array');
    expect(config.file.ws.access_token).toBe('ws-operator-secret');
    expect(config.file.http_post[0]).toMatchObject({ accounts: '*', secret: 'hmac-key' });
    expect(config.file.ws_reverse[1]).toMatchObject({
      accounts: [10003],
      access_token: '',
      authorization_scheme: 'Bearer',
      reconnect_interval_ms: 3000,
    });
  });

  it('a mistake names the field and refuses to start', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gw-config-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ htp_post: [] }));
    expect(() => loadConfig({ GATEWAY_CONFIG_FILE: file })).toThrow(/htp_post/);
    writeFileSync(file, JSON.stringify({ ws_reverse: [{ accounts: '*' }] }));
    expect(() => loadConfig({ GATEWAY_CONFIG_FILE: file })).toThrow(/universal, api or event/);
  });

  it("refuses to start when the admin token is also a tenant's account token", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gw-config-')), 'tokens.json');
    writeFileSync(file, JSON.stringify({ tokens: [{ token: 'tenant-a', accounts: [10001] }] }));
    expect(() =>
      loadConfig({ GATEWAY_CONFIG_FILE: file, GATEWAY_ADMIN_TOKEN: 'tenant-a' }),
    ).toThrow(/GATEWAY_ADMIN_TOKEN is also an account token/);
    expect(loadConfig({ GATEWAY_CONFIG_FILE: file, GATEWAY_ADMIN_TOKEN: 'admin' }).adminToken).toBe(
      'admin',
    );
  });
});
