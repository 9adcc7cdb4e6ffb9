/**
 * The demo chat (issue 19, point 5): act as a simulated person of the demo world, pick one of
 * their groups or one of their friends that is a bot account, and talk — text, faces, an
 * image — while the conversation, the bots' replies included, is read from the simulator every
 * second (one request at a time) as long as the view is open. Everything goes through the
 * gateway's proxy (sim-api.ts).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { ChatComposer } from './chat-composer.js';
import { faceName, type OutSegment } from './chat-model.js';
import { clock } from './event-model.js';
import { Field } from './field.js';
import {
  type ChatTarget,
  fetchChat,
  fetchFriends,
  sendAsPerson,
  type SimChatMessage,
  type SimElement,
  type SimFriend,
  type SimWorld,
  simImage,
} from './sim-api.js';

export interface DemoChatProps {
  token: string;
  world: SimWorld;
  /** The bots' nicknames as the fleet knows them. */
  botNames: ReadonlyMap<number, string>;
  onAuthFailed: (err: ApiError) => void;
}

const POLL_MS = 1_000;

const targetKey = (t: ChatTarget | null) => (t ? `${t.kind}:${t.id}` : '');
function parseTarget(key: string): ChatTarget | null {
  const [kind, id] = key.split(':');
  const n = Number(id);
  if ((kind !== 'group' && kind !== 'friend') || !Number.isSafeInteger(n)) return null;
  return { kind, id: n };
}

/**
 * An image of a message, fetched through the gateway as a `data:` URL (sim-api.ts `simImage`);
 * `[image]` until it is there, and for good when it cannot be had.
 */
function ChatImage({ token, url, file }: { token: string; url: string; file: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setSrc(null);
    const load = /^https?:\/\//.test(url)
      ? simImage(token, url)
      : Promise.reject(new Error('no URL'));
    load.then(
      data => {
        if (live) setSrc(data);
      },
      () => undefined, // stays "[image]"
    );
    return () => {
      live = false;
    };
  }, [token, url]);
  if (!src)
    return (
      <span class="chip" title={file}>
        [image]
      </span>
    );
  return <img class="chat-image" src={src} alt="image" title={file} />;
}

function Element({ el, token }: { el: SimElement; token: string }) {
  const d = el.data;
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  switch (el.type) {
    case 'text':
      return <>{text(d.text)}</>;
    case 'face': {
      const id = text(d.id);
      return (
        <span class="chip" title={`face ${id}`}>
          [{faceName(id) ?? `face ${id}`}]
        </span>
      );
    }
    case 'at':
      return <span class="chip">@{text(d.qq)}</span>;
    case 'image':
      return <ChatImage token={token} url={text(d.url)} file={text(d.file)} />;
    default:
      return <span class="chip">[{el.type}]</span>;
  }
}

export function DemoChat({ token, world, botNames, onAuthFailed }: DemoChatProps) {
  const [person, setPerson] = useState<number>(world.people[0]?.user_id ?? 0);
  const [friends, setFriends] = useState<SimFriend[]>([]);
  const [target, setTarget] = useState<ChatTarget | null>(null);
  const [messages, setMessages] = useState<SimChatMessage[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);
  const log = useRef<HTMLOListElement>(null);

  const accounts = useMemo(() => new Set(world.accounts.map(a => a.user_id)), [world]);
  const names = useMemo(() => {
    const m = new Map<number, string>(botNames);
    for (const p of world.people) m.set(p.user_id, p.nickname);
    for (const f of friends) m.set(f.user_id, f.remark || f.nickname);
    return m;
  }, [world, friends, botNames]);
  const me = world.people.find(p => p.user_id === person);
  const botFriends = friends.filter(f => accounts.has(f.user_id));

  const fail = (err: unknown) => {
    if (err instanceof ApiError && err.isAuth) return onAuthFailed(err);
    setProblem(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
  };

  // A new person: their friends, and the first of their chats.
  useEffect(() => {
    let live = true;
    setTarget(me?.groups[0] !== undefined ? { kind: 'group', id: me.groups[0] } : null);
    setFriends([]);
    fetchFriends(token, person)
      .then(list => {
        if (live) setFriends(list);
      })
      .catch((err: unknown) => {
        if (live) fail(err);
      });
    return () => {
      live = false;
    };
  }, [token, person]);

  // The conversation, every second while the view is open (the next poll after the last answer).
  useEffect(() => {
    if (!target) return setMessages([]);
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    setMessages([]);
    const poll = async () => {
      try {
        const list = await fetchChat(token, person, target, ctl.signal);
        if (ctl.signal.aborted) return;
        setMessages(list);
        setProblem(null);
      } catch (err) {
        if (ctl.signal.aborted) return;
        fail(err);
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      ctl.abort();
      if (timer) clearTimeout(timer);
    };
  }, [token, person, targetKey(target), refresh]);

  // New messages scroll into view.
  const lastSeq = messages.at(-1)?.seq;
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lastSeq]);

  const send = async (segments: OutSegment[]): Promise<boolean> => {
    if (!target) return false;
    try {
      await sendAsPerson(token, person, target, segments);
      setProblem(null);
      setRefresh(n => n + 1);
      return true;
    } catch (err) {
      fail(err);
      return false;
    }
  };

  const chatName = (t: ChatTarget | null) => {
    if (!t) return 'no chat';
    if (t.kind === 'friend') return `${names.get(t.id) ?? t.id} (${t.id})`;
    const g = world.groups.find(x => x.group_id === t.id);
    return `${g?.group_name ?? 'group'} (${t.id})`;
  };

  return (
    <section class="chat" aria-labelledby="chat-title" data-testid="demo-chat">
      <h2 id="chat-title">Demo chat</h2>
      <p class="muted small">
        Talk to the bots as a simulated person of the demo world; the conversation refreshes every
        second.
      </p>
      <div class="toolbar">
        <Field label="Person">
          {id => (
            <select
              id={id}
              value={String(person)}
              onChange={e => setPerson(Number(e.currentTarget.value))}
            >
              {world.people.map(p => (
                <option key={p.user_id} value={String(p.user_id)}>
                  {p.nickname} ({p.user_id})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Chat">
          {id => (
            <select
              id={id}
              value={targetKey(target)}
              onChange={e => setTarget(parseTarget(e.currentTarget.value))}
            >
              {!target && <option value="">no chat</option>}
              {(me?.groups ?? []).map(g => (
                <option key={`group:${g}`} value={`group:${g}`}>
                  group: {chatName({ kind: 'group', id: g })}
                </option>
              ))}
              {botFriends.map(f => (
                <option key={`friend:${f.user_id}`} value={`friend:${f.user_id}`}>
                  friend: {f.remark || f.nickname} ({f.user_id})
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <ol
        class="chat-log"
        ref={log}
        data-testid="chat-log"
        aria-label={`Messages in ${chatName(target)}`}
        tabIndex={0}
      >
        {messages.length === 0 && <li class="muted">No messages yet.</li>}
        {messages.map(m => (
          <li key={m.seq} class={m.sender_id === person ? 'bubble mine' : 'bubble'}>
            <span class="bubble-head small muted">
              {names.get(m.sender_id) ?? m.sender_id}
              {accounts.has(m.sender_id) ? ` (bot ${m.sender_id})` : ''} · {clock(m.time)}
            </span>
            <span class="bubble-body">
              {m.recalled ? (
                <em class="muted">recalled</em>
              ) : (
                m.elements.map((el, i) => <Element key={i} el={el} token={token} />)
              )}
            </span>
          </li>
        ))}
      </ol>
      <ChatComposer disabled={!target} onSend={send} />
    </section>
  );
}
