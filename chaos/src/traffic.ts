/**
 * Steady load during the chaos run: simulated people talking in the demo group (each text an
 * event for every account in it), and bots sending messages through the gateways' HTTP API.
 *
 * Actions are sent as a client behind a load balancer would: round-robin over the gateways, and
 * a gateway that refuses the connection (it is gone, the request never left) is skipped for a
 * while and the action sent to another. Any other failure is the action's answer: it is not
 * retried, since a retry of a send whose fate is unknown could send it twice.
 */
import type { SimControl } from '@cqfleet/sim-client';
import { EVENT_TEXT_PREFIX } from './observers.js';

export const GROUP = 100100;
/** A person of the demo world in GROUP. */
export const SPEAKER = 20001;
export const ACTION_TEXT_PREFIX = 'act ';

export interface SentEvent {
  text: string;
  sentAt: number;
}

export interface ActionRecord {
  n: number;
  text: string;
  selfId: number;
  gateway: string;
  startedAt: number;
  finishedAt?: number;
  ok?: boolean;
  /** The failure: `retcode <n> <wording>`, or the transport error. */
  detail?: string;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Runs `step` every `everyMs` until `stop()`, never two at once; resolves `stopped` at the end. */
class Pacer {
  private running = true;
  readonly done: Promise<void>;

  constructor(everyMs: number, step: (n: number) => Promise<void>) {
    this.done = (async () => {
      for (let n = 0; this.running; n++) {
        const next = Date.now() + everyMs;
        await step(n);
        await sleep(Math.max(0, next - Date.now()));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

/** People saying unique texts in GROUP at `perSecond`. */
export class PeopleTraffic {
  readonly sent: SentEvent[] = [];
  /** Texts the simulator did not take (it is not faulted: expected none). */
  readonly refused: string[] = [];
  private pacer?: Pacer;

  constructor(private readonly sim: SimControl) {}

  /** Says one text now and records it. */
  async say(text: string): Promise<void> {
    const sentAt = Date.now();
    try {
      await this.sim.sendGroupMsg(SPEAKER, GROUP, text);
      this.sent.push({ text, sentAt });
    } catch {
      this.refused.push(text);
    }
  }

  start(perSecond: number): void {
    this.pacer = new Pacer(1000 / perSecond, n => this.say(`${EVENT_TEXT_PREFIX}${n}`));
  }

  async stop(): Promise<void> {
    await this.pacer?.stop();
  }
}

/** Bots sending unique texts to GROUP through the gateways at `perSecond`, up to 16 in flight. */
export class ActionTraffic {
  readonly actions: ActionRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Gateway name → until when it is skipped (it refused a connection). */
  private readonly away = new Map<string, number>();
  private pacer?: Pacer;
  private turn = 0;

  constructor(
    private readonly gateways: Array<{ name: string; httpUrl: string }>,
    private readonly accounts: readonly number[],
  ) {}

  private pick(): { name: string; httpUrl: string } {
    const now = Date.now();
    for (let i = 0; i < this.gateways.length; i++) {
      const g = this.gateways[this.turn++ % this.gateways.length]!;
      if ((this.away.get(g.name) ?? 0) <= now) return g;
    }
    return this.gateways[this.turn++ % this.gateways.length]!;
  }

  private async send(record: ActionRecord): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const g = this.pick();
      record.gateway = g.name;
      try {
        const res = await fetch(`${g.httpUrl}/${record.selfId}/send_group_msg`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ group_id: GROUP, message: record.text }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json()) as { status?: string; retcode?: number; wording?: string };
        record.ok = body.status === 'ok';
        if (!record.ok) record.detail = `retcode ${body.retcode} ${body.wording ?? ''}`.trim();
      } catch (err) {
        const code = (err as { cause?: { code?: string } }).cause?.code;
        if (code === 'ECONNREFUSED' && attempt < this.gateways.length) {
          this.away.set(g.name, Date.now() + 2_000);
          continue;
        }
        record.ok = false;
        record.detail = code ?? (err as Error).message;
      }
      record.finishedAt = Date.now();
      return;
    }
  }

  start(perSecond: number): void {
    this.pacer = new Pacer(1000 / perSecond, async n => {
      if (this.inFlight.size >= 16) return;
      const record: ActionRecord = {
        n,
        text: `${ACTION_TEXT_PREFIX}${n}`,
        selfId: this.accounts[n % this.accounts.length]!,
        gateway: '',
        startedAt: Date.now(),
      };
      this.actions.push(record);
      const p = this.send(record).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    });
  }

  async stop(): Promise<void> {
    await this.pacer?.stop();
    await Promise.all(this.inFlight);
  }
}

/**
 * How many times each action's text reached the group, read from the simulator (the QQ side)
 * every 2 s while the run goes on, since the group keeps a bounded log.
 */
export class Executions {
  private readonly byMessage = new Map<number, string>();
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;

  constructor(private readonly sim: SimControl) {}

  async poll(): Promise<void> {
    const messages = await this.sim.groupMessages(GROUP, 5_000);
    for (const m of messages)
      if (m.message.startsWith(ACTION_TEXT_PREFIX)) this.byMessage.set(m.message_id, m.message);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.polling ??= this.poll()
        .catch(() => undefined)
        .finally(() => (this.polling = undefined));
    }, 2_000);
  }

  /** Stops polling, reads once more, and counts each text. */
  async finish(): Promise<Map<string, number>> {
    clearInterval(this.timer);
    await this.polling;
    await this.poll();
    const counts = new Map<string, number>();
    for (const text of this.byMessage.values()) counts.set(text, (counts.get(text) ?? 0) + 1);
    return counts;
  }
}
