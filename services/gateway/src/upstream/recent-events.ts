/**
 * The event frames a relayed upstream sent in the last moments, kept by the gateway holding
 * its socket. The account's owner asks for them when it attaches (contracts/upstream-relay.ts,
 * `attach`): a new owner after a hand-over, or the same one after a NATS outage, gets the events
 * it may have missed. Those it had published already are dropped by the event stream, whose
 * message ids are digests of the frames (session upstream/events.ts), so a replay never doubles
 * an event.
 */

/** An event frame, told without parsing it: it has `post_type` and is not a meta event. */
function isEvent(frame: Buffer): boolean {
  return frame.includes('"post_type"') && !frame.includes('"meta_event"');
}

export class RecentEvents {
  private frames: Array<{ at: number; frame: Buffer }> = [];
  private bytes = 0;

  /** `windowMs` or `maxBytes` 0: nothing is kept. */
  constructor(
    private readonly windowMs = 30_000,
    private readonly maxBytes = 256 * 1024,
  ) {}

  /** Keeps `frame` when it is an event (a copy: the socket's buffer is not held). */
  note(frame: Buffer, now = Date.now()): void {
    if (this.windowMs === 0 || this.maxBytes === 0 || !isEvent(frame)) return;
    const copy = Buffer.from(frame);
    this.frames.push({ at: now, frame: copy });
    this.bytes += copy.length;
    this.trim(now);
  }

  /** The event frames still within the window, oldest first. */
  recent(now = Date.now()): Buffer[] {
    this.trim(now);
    return this.frames.map(f => f.frame);
  }

  private trim(now: number): void {
    let drop = 0;
    let bytes = this.bytes;
    for (const f of this.frames) {
      if (now - f.at <= this.windowMs && bytes <= this.maxBytes) break;
      bytes -= f.frame.length;
      drop++;
    }
    if (drop > 0) {
      this.frames = this.frames.slice(drop);
      this.bytes = bytes;
    }
  }
}
