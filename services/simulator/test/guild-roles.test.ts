/**
 * Guild roles under QQ's rules (guild-roles.ts): only the owner and admins manage them, names
 * are bounded, a guild holds at most MAX_ROLES roles and its own two stay. The demo guild
 * 7000000001: 10001 is its owner (role 4), 10002, Alice and Bob plain members.
 */
import type { OpCaller, WorldState } from '@cqfleet/simulator';
import { beforeEach, describe, expect, it } from 'vitest';
import { tinyId } from '../src/world/build.js';
import { MAX_ROLE_NAME_CHARS, MAX_ROLES } from '../src/world/guild-roles.js';
import { demoWorld, fails } from './demo-world.js';

let w: WorldState;
let ops: OpCaller;
const guild_id = '7000000001';
const roles = () => w.guilds.get(guild_id)!.roles;

beforeEach(() => {
  ({ w, ops } = demoWorld());
});

const create = (name: string, actor: number, users: string[] = []) =>
  ops.guild_role({ action: 'create', guild_id, name, color: 1, independent: false, users }, actor)
    .role_id;

describe('guild roles', () => {
  it('a plain member can neither create, rename, delete nor assign roles', () => {
    const role_id = create('bots', 10001);
    const before = JSON.stringify(roles());
    fails(() => create('mine', 10002), 'NOT_MANAGEABLE');
    fails(
      () =>
        ops.guild_role(
          { action: 'update', guild_id, role_id, name: 'hijacked', color: 0, independent: false },
          10002,
        ),
      'NOT_MANAGEABLE',
    );
    fails(() => ops.guild_role({ action: 'delete', guild_id, role_id }, 20001), 'NOT_MANAGEABLE');
    fails(
      () =>
        ops.guild_role(
          { action: 'assign', guild_id, role_id, users: [tinyId(20001)], set: true },
          20002,
        ),
      'NOT_MANAGEABLE',
    );
    expect(JSON.stringify(roles())).toBe(before);
  });

  it('the owner and admins manage them', () => {
    const role_id = create('bots', 10001, [tinyId(10002), tinyId(10002), 'not-a-member']);
    // Users are counted once each, members only.
    expect(roles().find(r => r.role_id === role_id)).toMatchObject({ member_count: 1 });
    w.guilds.get(guild_id)!.members.find(m => m.tiny_id === tinyId(20001))!.role_id = '2';
    ops.guild_role(
      { action: 'update', guild_id, role_id, name: ' robots ', color: 2, independent: true },
      20001,
    );
    expect(roles().find(r => r.role_id === role_id)).toMatchObject({ role_name: 'robots' });
    ops.guild_role({ action: 'delete', guild_id, role_id }, 20001);
    expect(roles().map(r => r.role_id)).toEqual(['1', '4']);
  });

  it('names are 1 to 32 characters; a guild holds at most 32 roles; its own two stay', () => {
    fails(() => create('', 10001), 'INVALID_PARAMS');
    fails(() => create('   ', 10001), 'INVALID_PARAMS');
    fails(() => create('x'.repeat(MAX_ROLE_NAME_CHARS + 1), 10001), 'INVALID_PARAMS');
    fails(() => create('x'.repeat(10 * 1024 * 1024), 10001), 'INVALID_PARAMS');
    create('字'.repeat(MAX_ROLE_NAME_CHARS), 10001);
    while (roles().length < MAX_ROLES) create(`r${roles().length}`, 10001);
    fails(() => create('one more', 10001), 'API_ERROR');
    expect(roles()).toHaveLength(MAX_ROLES);
    fails(() => ops.guild_role({ action: 'delete', guild_id, role_id: '4' }, 10001), 'API_ERROR');
    fails(
      () =>
        ops.guild_role(
          { action: 'update', guild_id, role_id: '1', name: 'x', color: 0, independent: false },
          10001,
        ),
      'API_ERROR',
    );
  });
});
