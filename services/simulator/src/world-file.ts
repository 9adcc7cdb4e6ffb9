/**
 * The world file: who exists, who is friends with whom, which groups exist and who is in them.
 * `accounts` are the users bots log in as; `people` are everyone else (driven through the
 * control API). Each group has exactly one owner.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const uin = z.number().int().positive();

const DeviceSpec = z.object({
  app_id: z.number().int(),
  device_name: z.string(),
  device_kind: z.string(),
});

const UserSpec = z.object({
  user_id: uin,
  nickname: z.string().min(1),
  sex: z.enum(['male', 'female', 'unknown']).default('unknown'),
  age: z.number().int().nonnegative().default(0),
  level: z.number().int().nonnegative().default(1),
  sign: z.string().default(''),
  /** The account's other online devices (`get_online_clients`). */
  devices: z.array(DeviceSpec).default([]),
});

const GuildSpec = z.object({
  guild_id: z.string(),
  guild_name: z.string(),
  members: z.array(uin),
  channels: z.array(z.object({ channel_id: z.string(), channel_name: z.string() })).min(1),
});

const MemberSpec = z.object({
  user_id: uin,
  role: z.enum(['owner', 'admin', 'member']).default('member'),
  card: z.string().default(''),
  title: z.string().default(''),
});

const GroupSpec = z.object({
  group_id: uin,
  group_name: z.string().min(1),
  max_member_count: z.number().int().positive().default(500),
  members: z.array(MemberSpec).min(1),
});

export const WorldFile = z
  .object({
    $comment: z.string().optional(),
    accounts: z.array(UserSpec).min(1),
    people: z.array(UserSpec).default([]),
    friendships: z.array(z.tuple([uin, uin])).default([]),
    /** `[a, b]`: a has b as a friend, b does not have a (b's unidirectional friend). */
    one_way_friends: z.array(z.tuple([uin, uin])).default([]),
    groups: z.array(GroupSpec).default([]),
    guilds: z.array(GuildSpec).default([]),
    /** Hosts `check_url_safely` reports as dangerous (level 3). */
    dangerous_hosts: z.array(z.string()).default([]),
  })
  .superRefine((w, ctx) => {
    const users = new Set<number>();
    for (const u of [...w.accounts, ...w.people]) {
      if (users.has(u.user_id))
        ctx.addIssue({ code: 'custom', message: `user ${u.user_id} is listed twice` });
      users.add(u.user_id);
    }
    for (const [a, b] of w.friendships)
      for (const id of [a, b])
        if (!users.has(id))
          ctx.addIssue({ code: 'custom', message: `friendship names unknown user ${id}` });
    for (const g of w.groups) {
      const owners = g.members.filter(m => m.role === 'owner').length;
      if (owners !== 1)
        ctx.addIssue({
          code: 'custom',
          message: `group ${g.group_id} must have exactly one owner, has ${owners}`,
        });
      for (const m of g.members)
        if (!users.has(m.user_id))
          ctx.addIssue({
            code: 'custom',
            message: `group ${g.group_id} names unknown user ${m.user_id}`,
          });
    }
  });
export type WorldFile = z.output<typeof WorldFile>;
export type WorldFileInput = z.input<typeof WorldFile>;

export const DEMO_WORLD_PATH = new URL('../worlds/demo.json', import.meta.url);

export async function loadWorldFile(path: string | URL): Promise<WorldFile> {
  const text = await readFile(path, 'utf8');
  const parsed = WorldFile.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(
      `invalid world file ${String(path)}: ${parsed.error.issues.map(i => i.message).join('; ')}`,
    );
  return parsed.data;
}
