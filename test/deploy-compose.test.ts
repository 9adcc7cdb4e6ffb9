/**
 * The Compose files, checked offline: docker-compose.yml, alone and with docker-compose.ha.yml
 * (every service defined, its dependencies and volumes declared, its settings parsed by that
 * service's own configuration schema, no door open by default); the HA file's lack of a single
 * point of failure (issue 18: three NATS servers in one JetStream cluster, a Redis replica and
 * three Sentinels, the services pointed at all of them); the Dockerfile the compose file builds;
 * and deploy/upstream/compose.yml (NapCat and Lagrange behind cqfleet, their accounts registered
 * as valid records, their own settings agreeing with those records and the gateway).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AccountRecord, driverOptionsProblem, UpstreamOptions } from '@cqfleet/contracts';
import { REPO_ROOT } from '@cqfleet/devcluster';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG, composeFile, composeMerge, names, type Obj } from './deploy-support.js';

describe.each([
  ['docker-compose.yml', composeFile('docker-compose.yml')],
  [
    'docker-compose.yml + docker-compose.ha.yml',
    composeMerge(composeFile('docker-compose.yml'), composeFile('docker-compose.ha.yml')),
  ],
])('%s', (_files, compose: Obj) => {
  it('every service is defined, depends on defined services and uses declared volumes', () => {
    const defined = Object.keys(compose.services);
    expect(defined).toEqual(
      expect.arrayContaining([
        'nats',
        'redis',
        'simulator',
        'session',
        'history',
        'media',
        'gateway',
      ]),
    );
    for (const [name, s] of Object.entries<Obj>(compose.services)) {
      expect(s.image ?? s.build, name).toBeDefined();
      for (const d of names(s.depends_on)) expect(defined, `${name} depends on ${d}`).toContain(d);
      for (const v of s.volumes ?? []) {
        const source = String(v).split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect(Object.keys(compose.volumes ?? {}), `${name} volume`).toContain(source);
        else expect(existsSync(join(REPO_ROOT, source)), `${name} mounts ${source}`).toBe(true);
      }
    }
  });

  it("every cqfleet service's environment passes its configuration schema", () => {
    for (const [name, s] of Object.entries<Obj>(compose.services)) {
      const env = s.environment as Record<string, string> | undefined;
      if (!env?.SERVICE) continue;
      const { SERVICE, ...settings } = env;
      expect(() => CONFIG[SERVICE]!(settings), name).not.toThrow();
    }
  });

  it('opens no door by default: loopback ports, required tokens, bounded history', () => {
    for (const file of ['docker-compose.yml', 'docker-compose.ha.yml'])
      expect(readFileSync(join(REPO_ROOT, file), 'utf8')).not.toMatch(/change-me/);
    for (const [name, s] of Object.entries<Obj>(compose.services))
      for (const port of (s.ports ?? []) as string[])
        expect(port, `${name} publishes ${port}`).toMatch(/^127\.0\.0\.1:/);
    const gateway = compose.services.gateway.environment as Record<string, string>;
    for (const key of ['GATEWAY_ACCESS_TOKEN', 'GATEWAY_ADMIN_TOKEN'])
      expect(gateway[key], key).toMatch(new RegExp(`^\\$\\{${key}:\\?`));
    const history = compose.services.history.environment as Record<string, string>;
    expect(Number(history.HISTORY_MAX_AGE_S)).toBeGreaterThan(0);
  });
});

describe('docker-compose.ha.yml (no single point of failure, issue 18)', () => {
  const compose = composeMerge(
    composeFile('docker-compose.yml'),
    composeFile('docker-compose.ha.yml'),
  );
  const services = Object.entries<Obj>(compose.services);
  const cqfleet = services.filter(
    ([, s]) => s.environment?.SERVICE && s.environment.SERVICE !== 'simulator',
  );
  /** `--flag=value` of a NATS server's command line. */
  const flag = (s: Obj, name: string) =>
    (s.command as string[]).find(a => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const nats = services.filter(([, s]) => String(s.image).startsWith('nats:'));
  const script = (s: Obj) => (Array.isArray(s.command) ? String(s.command[1]) : '');
  const redis = services.filter(([, s]) => script(s) === '/config/start-redis.sh');
  const sentinels = services.filter(([, s]) => script(s) === '/config/start-sentinel.sh');
  const file = (name: string) => readFileSync(join(REPO_ROOT, 'deploy/compose', name), 'utf8');
  const volumeOf = (s: Obj) =>
    (s.volumes as string[]).find(v => v.endsWith(':/data'))?.split(':')[0];

  it('NATS: three servers in one cluster with JetStream, each with its own name and volume', () => {
    expect(nats.map(([name]) => name)).toHaveLength(3);
    for (const [name, s] of nats) {
      expect(s.command, name).toContain('-js');
      expect(flag(s, 'name'), name).toBe(name);
      expect(flag(s, 'cluster_name'), name).toBe('cqfleet');
      expect(flag(s, 'cluster'), name).toBe('nats://0.0.0.0:6222');
      expect(flag(s, 'routes')?.split(',').sort(), name).toEqual(
        nats.map(([n]) => `nats://${n}:6222`).sort(),
      );
      expect(flag(s, 'store_dir'), name).toBe('/data');
    }
    const volumes = nats.map(([, s]) => volumeOf(s));
    expect(new Set(volumes).size, 'a volume per server').toBe(3);
  });

  it('Redis: a primary, its replica and three Sentinels that name hosts', () => {
    expect(redis).toHaveLength(2);
    const [primary, replica] = [...redis].sort(
      ([, a], [, b]) => a.command.length - b.command.length,
    );
    expect(primary![1].command.slice(2)).toEqual([primary![0]]);
    expect(replica![1].command.slice(2)).toEqual([replica![0], primary![0]]);
    expect(file('start-redis.sh')).toMatch(/replicaof \$primary 6379/);
    expect(file('start-redis.sh')).toMatch(/replica-announce-ip \$self/);
    expect(file('redis.conf')).toMatch(/^appendonly yes$/m);
    expect(sentinels).toHaveLength(3);
    for (const [name, s] of sentinels) {
      // <self> <first primary> <every Sentinel>
      expect(s.command.slice(2), name).toEqual([name, primary![0], ...sentinels.map(([n]) => n)]);
    }
    const sentinel = file('sentinel.conf');
    expect(sentinel).toMatch(/^sentinel resolve-hostnames yes$/m);
    expect(sentinel).toMatch(/^sentinel announce-hostnames yes$/m);
    expect(sentinel).toMatch(/^sentinel announce-ip @SELF@$/m);
    expect(sentinel).toMatch(/^port 26379$/m);
    expect(sentinel).toMatch(/^sentinel monitor cqfleet @MASTER@ 6379 2$/m);
    // A Sentinel that starts afresh asks the others for the primary of that name.
    expect(file('start-sentinel.sh')).toMatch(/get-master-addr-by-name cqfleet\b/);
    const volumes = [...redis, ...sentinels].map(([, s]) => volumeOf(s));
    expect(new Set(volumes).size, 'a volume per node').toBe(5);
  });

  it('every cqfleet service uses all three NATS servers, three stream copies and the Sentinels', () => {
    expect(cqfleet.map(([name]) => name).sort()).toEqual([
      'gateway',
      'history',
      'media',
      'session',
    ]);
    const master = /^sentinel monitor (\S+) /m.exec(file('sentinel.conf'))![1];
    for (const [name, s] of cqfleet) {
      const env = s.environment as Record<string, string>;
      expect(env.CQFLEET_NATS_URL?.split(',').sort(), name).toEqual(
        nats.map(([n]) => `nats://${n}:4222`).sort(),
      );
      expect(env.CQFLEET_STREAM_REPLICAS, name).toBe('3');
      expect(env.CQFLEET_REDIS_SENTINELS?.split(','), name).toEqual(
        sentinels.map(([n]) => `${n}:26379`),
      );
      expect(env.CQFLEET_REDIS_MASTER, name).toBe(master);
      expect(env.CQFLEET_REDIS_URL, name).toBe('');
      for (const [dep] of [...nats, ...redis, ...sentinels])
        expect(s.depends_on, `${name} depends on ${dep}`).toContain(dep);
    }
  });
});

describe('Dockerfile', () => {
  it('the image is built by the multi-stage Dockerfile the compose file names', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, dirname('Dockerfile'), 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });
});

describe('deploy/upstream/compose.yml (cqfleet in front of NapCat / Lagrange)', () => {
  const base = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as Obj;
  const override = parse(readFileSync(join(REPO_ROOT, 'deploy/upstream/compose.yml'), 'utf8'), {
    merge: true,
  }) as Obj;
  const register = override.services['register-accounts'] as Obj;
  const script = String((register.command as string[])[0]);

  it('extends the base file: what it depends on exists in one of the two', () => {
    const names = [...Object.keys(base.services), ...Object.keys(override.services)];
    for (const [name, s] of Object.entries<Obj>(override.services)) {
      expect(s.image, name).toBeDefined();
      for (const d of s.depends_on ?? []) expect(names, `${name} depends on ${d}`).toContain(d);
    }
  });

  it("registers accounts through the gateway's admin API as the base file configures it", () => {
    const gateway = base.services.gateway.environment as Record<string, string>;
    expect(register.environment.ADMIN).toBe(`http://gateway:${gateway.GATEWAY_ADMIN_PORT}`);
    expect(register.environment.ADMIN_TOKEN).toBe(gateway.GATEWAY_ADMIN_TOKEN);
  });

  it('each registered account is a valid onebot record: forward to an upstream of the file, or reverse', () => {
    const puts = [...script.matchAll(/^\s*put (\d+) '(.+)'$/gm)];
    expect(puts.length).toBe(2);
    const modes: string[] = [];
    for (const [, uin, body] of puts) {
      // The shell splices the token in; any token will do for the shape.
      const json = body!.replace(`'"$$UPSTREAM_TOKEN"'`, 'secret');
      const record = AccountRecord.parse({ uin: Number(uin), ...JSON.parse(json) });
      expect(record.driver).toBe('onebot');
      expect(driverOptionsProblem(record)).toBeUndefined();
      const options = UpstreamOptions.parse(record.options);
      modes.push(options.mode);
      if (options.mode === 'forward')
        expect(Object.keys(override.services)).toContain(new URL(String(options.url)).hostname);
    }
    expect(modes.sort()).toEqual(['forward', 'reverse']);
  });

  it("ships each upstream's own settings, agreeing with the records and the gateway", () => {
    const token = String(register.environment.UPSTREAM_TOKEN);
    const records = new Map(
      [...script.matchAll(/^\s*put (\d+) '(.+)'$/gm)].map(([, uin, body]) => [
        Number(uin),
        UpstreamOptions.parse(
          (JSON.parse(body!.replace(`'"$$UPSTREAM_TOKEN"'`, token)) as { options: unknown })
            .options,
        ),
      ]),
    );
    // NapCat (forward): its WebSocket server is where the record points, with the token, and
    // reports the account's own messages.
    const napcat = JSON.parse(
      readFileSync(join(REPO_ROOT, 'deploy/upstream/napcat/onebot11_3001.json'), 'utf8'),
    ) as { network: { websocketServers: Array<Record<string, unknown>> } };
    const server = napcat.network.websocketServers.find(s => s.enable === true)!;
    const forward = records.get(3001)!;
    expect(new URL(forward.url!).port).toBe(String(server.port));
    expect(server.token).toBe(forward.token);
    expect(server.reportSelfMessage).toBe(true);
    // Lagrange (reverse): it connects to the gateway's WebSocket port at /upstream as 3002.
    const lagrange = JSON.parse(
      readFileSync(join(REPO_ROOT, 'deploy/upstream/lagrange/appsettings.json'), 'utf8'),
    ) as {
      Account: { Uin: number };
      Message: { IgnoreSelf: boolean };
      Implementations: Array<Record<string, unknown>>;
    };
    const client = lagrange.Implementations.find(i => i.Type === 'ReverseWebSocket')!;
    const reverse = records.get(lagrange.Account.Uin)!;
    expect(reverse.mode).toBe('reverse');
    expect(client).toMatchObject({
      Host: 'gateway',
      Suffix: '/upstream',
      AccessToken: reverse.token,
    });
    expect(base.services.gateway.ports).toContain(
      `127.0.0.1:${String(client.Port)}:${String(client.Port)}`,
    );
    expect(lagrange.Message.IgnoreSelf).toBe(false);
    // The compose file mounts these directories into the containers.
    expect(override.services['napcat-3001'].volumes).toContain(
      './deploy/upstream/napcat:/app/napcat/config',
    );
    expect(override.services['lagrange-3002'].volumes).toContain(
      './deploy/upstream/lagrange:/app/data',
    );
  });
});
