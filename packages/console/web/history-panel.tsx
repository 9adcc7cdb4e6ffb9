/**
 * An account's recent messages from history, one chat at a time. History answers per chat
 * only (get_group_msg_history, get_friend_msg_history: services/history/src/handlers/
 * message.ts; there is no "recent across chats" query), so the operator picks the chat and
 * the page calls the action through `POST <console>/api/accounts/{uin}/call`. The account's
 * groups and friends (get_group_list, get_friend_list) are offered as choices, and its first
 * group's messages are shown as soon as the panel opens.
 */
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, callAction } from './api.js';
import { clock, summarize } from './event-model.js';
import { Field } from './field.js';

export interface HistoryPanelProps {
  token: string;
  uin: number;
  onAuthFailed: (err: ApiError) => void;
}

type Kind = 'group' | 'friend';

/** A chat the account is in, offered in the id field's list. */
interface Choice {
  id: number;
  name: string;
}

type Loaded =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'done'; messages: Array<Record<string, unknown>> }
  | { kind: 'failed'; message: string };

export function HistoryPanel({ token, uin, onAuthFailed }: HistoryPanelProps) {
  const [kind, setKind] = useState<Kind>('group');
  const [chat, setChat] = useState('');
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'idle' });
  const [choices, setChoices] = useState<{ group: Choice[]; friend: Choice[] }>({
    group: [],
    friend: [],
  });

  const load = async (kind: Kind, chat: string) => {
    const id = Number(chat.trim());
    if (!Number.isSafeInteger(id) || id <= 0) {
      setLoaded({ kind: 'failed', message: 'The chat is a group id or a user id (a number).' });
      return;
    }
    setLoaded({ kind: 'loading' });
    const [action, params] =
      kind === 'group'
        ? ['get_group_msg_history', { group_id: id }]
        : ['get_friend_msg_history', { user_id: id }];
    try {
      const env = await callAction(token, uin, action, params);
      if (env.status === 'failed') {
        const why = env.wording ?? env.message ?? `retcode ${env.retcode}`;
        return setLoaded({ kind: 'failed', message: `${action}: ${why}` });
      }
      const messages = (env.data as { messages?: unknown } | null)?.messages;
      setLoaded({
        kind: 'done',
        messages: Array.isArray(messages) ? (messages as Array<Record<string, unknown>>) : [],
      });
    } catch (err) {
      if (err instanceof ApiError && err.isAuth) return onAuthFailed(err);
      setLoaded({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  };

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    await load(kind, chat);
  };

  // The account's chats, then its first group's messages: something to see without typing.
  useEffect(() => {
    let live = true;
    const list = async (action: string, idKey: string, nameKey: string): Promise<Choice[]> => {
      try {
        const env = await callAction(token, uin, action, {});
        if (env.status === 'failed' || !Array.isArray(env.data)) return [];
        return (env.data as Array<Record<string, unknown>>)
          .filter(r => typeof r[idKey] === 'number')
          .slice(0, 500)
          .map(r => ({ id: r[idKey] as number, name: String(r[nameKey] ?? '') }));
      } catch {
        return []; // the form still works by id
      }
    };
    void (async () => {
      const [group, friend] = await Promise.all([
        list('get_group_list', 'group_id', 'group_name'),
        list('get_friend_list', 'user_id', 'nickname'),
      ]);
      if (!live) return;
      setChoices({ group, friend });
      const first = group[0];
      if (first) {
        setChat(String(first.id));
        await load('group', String(first.id));
      }
    })();
    return () => {
      live = false;
    };
    // Once per account: the token does not change while the panel is open.
  }, [uin]);

  return (
    <form class="history" aria-labelledby="history-title" onSubmit={e => void submit(e)}>
      <h3 id="history-title">Recent messages</h3>
      <p class="muted small">History answers one chat at a time: pick a group or a friend.</p>
      <div class="event-tools">
        <Field label="Chat type">
          {id => (
            <select id={id} value={kind} onChange={e => setKind(e.currentTarget.value as Kind)}>
              <option value="group">group</option>
              <option value="friend">friend</option>
            </select>
          )}
        </Field>
        <Field label={kind === 'group' ? 'Group id' : 'User id'} class="grow">
          {id => (
            <input
              id={id}
              inputMode="numeric"
              autoComplete="off"
              placeholder={kind === 'group' ? '100100' : '20001'}
              list={`history-chats-${uin}`}
              value={chat}
              onInput={e => setChat(e.currentTarget.value)}
            />
          )}
        </Field>
        <datalist id={`history-chats-${uin}`}>
          {choices[kind].map(c => (
            <option key={c.id} value={String(c.id)}>
              {c.name}
            </option>
          ))}
        </datalist>
        <button type="submit" disabled={loaded.kind === 'loading'}>
          Load messages
        </button>
      </div>
      {loaded.kind === 'failed' && (
        <p class="error" role="alert">
          {loaded.message}
        </p>
      )}
      {loaded.kind === 'done' && (
        <ol class="event-list" data-testid="history-list" aria-label="Messages, newest first">
          {loaded.messages.length === 0 && <li class="muted">No messages kept for this chat.</li>}
          {[...loaded.messages].reverse().map((m, i) => (
            <li key={`${String(m.message_id)}-${i}`} class="event">
              <span class="mono muted">{clock(typeof m.time === 'number' ? m.time : 0)}</span>{' '}
              <span class="event-summary">{summarize(m).summary}</span>
            </li>
          ))}
        </ol>
      )}
    </form>
  );
}
