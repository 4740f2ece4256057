/**
 * The sandbox's traffic: who writes to whom, when, and what. A seeded stream of decrypted
 * WeCom messages that first cycles through every msgtype (so any dataset of 60 or more
 * messages has each one), then settles into a realistic mix: mostly text, about 15% media,
 * a few recalls, calls and cards.
 */
import type { DirectorySnapshot } from '../../core/directory.js';
import { personKindOf } from '../../core/model.js';
import type { MediaAllocator, WecomMessage } from './payloads.js';
import { buildPayload } from './payloads.js';
import type { Conversation } from './people.js';
import { buildConversations } from './people.js';
import { Prng } from './prng.js';

/** Every msgtype of the vendor's table, in its order; `switch` is an action without msgtype. */
export const ALL_MSGTYPES = [
  'text', 'image', 'revoke', 'agree', 'disagree', 'voice', 'video', 'card', 'location', 'emotion', 'file',
  'link', 'weapp', 'chatrecord', 'todo', 'vote', 'collect', 'redpacket', 'external_redpacket', 'meeting',
  'meeting_notification', 'docmsg', 'markdown', 'news', 'calendar', 'mixed', 'meeting_voice_call',
  'voip_doc_share', 'voiptext', 'sphfeed', 'qydiskfile',
] as const; // prettier-ignore

/** what the first cycle emits: every msgtype, then a switch event */
export const CYCLE = [...ALL_MSGTYPES, 'switch'] as const;

/** relative frequency after the first cycle: text ~78%, media (image, voice, video, file, emotion) ~15% */
const MIX: readonly (readonly [string, number])[] = [
  ['text', 780], ['image', 60], ['voice', 30], ['video', 12], ['file', 20], ['emotion', 28],
  ['revoke', 15], ['link', 8], ['card', 4], ['location', 3], ['chatrecord', 4], ['mixed', 4], ['voiptext', 5],
  ['agree', 2], ['disagree', 1], ['weapp', 1], ['todo', 1], ['vote', 1], ['collect', 1], ['redpacket', 1],
  ['external_redpacket', 1], ['meeting', 2], ['meeting_notification', 1], ['docmsg', 2], ['markdown', 2],
  ['news', 1], ['calendar', 2], ['meeting_voice_call', 1], ['voip_doc_share', 1], ['sphfeed', 1],
  ['qydiskfile', 1], ['switch', 1],
]; // prettier-ignore

/** 2026-11-01T01:00:00Z; each seed starts up to six hours later */
const EPOCH = Date.UTC(2026, 10, 1, 1, 0, 0);

export function startTimeFor(seed: number): number {
  return EPOCH + Prng.from(seed, 'start').int(0, 6 * 3600) * 1000;
}

/** Mean gap between messages so that `count` messages span about three days (bounded to 0.5 s .. 10 min). */
export function meanGapFor(count: number): number {
  return Math.min(600_000, Math.max(500, Math.floor((3 * 86_400_000) / Math.max(1, count))));
}

interface Sent {
  msgid: string;
  from: string;
}

export interface StreamOptions {
  seed: number;
  directory: DirectorySnapshot;
  media: MediaAllocator;
  /** msgtime of the message before the first one, ms */
  after: number;
  meanGapMs: number;
  /** forks the random stream (appended batches must not repeat the initial one) */
  label: string;
  /** emit CYCLE first */
  cycle: boolean;
}

export interface StreamItem {
  msg: WecomMessage;
  /** msgtype, or `switch` */
  type: string;
}

export class MessageStream {
  private readonly prng: Prng;
  private readonly convs: Conversation[];
  private readonly weights: (readonly [Conversation, number])[];
  private readonly names = new Map<string, string>();
  private readonly employees: string[];
  private readonly history = new Map<Conversation, Sent[]>();
  private readonly seen = new Set<string>();
  private readonly msgids = new Set<string>();
  private time: number;
  private emitted = 0;
  private last: Conversation | undefined;

  constructor(private readonly opts: StreamOptions) {
    this.prng = Prng.from(opts.seed, 'stream', opts.label);
    this.convs = buildConversations(opts.directory, opts.seed);
    // a few busy conversations and a long tail, as in any corp
    this.weights = this.convs.map((c) => [c, (c.roomid ? 4 : 1) / (1 + this.prng.int(0, 6))] as const);
    for (const p of opts.directory.people) this.names.set(p.id, p.name ?? p.id);
    for (const r of opts.directory.rooms) this.names.set(r.id, r.name);
    this.employees = opts.directory.people.filter((p) => p.kind === 'internal').map((p) => p.id);
    this.time = opts.after;
  }

  /** the next message; `force` sets its msgtype (a fault that needs a text message) */
  next(force?: string): StreamItem {
    const { prng } = this;
    let type =
      force ?? (this.opts.cycle && this.emitted < CYCLE.length ? (CYCLE[this.emitted] as string) : prng.weighted(MIX));
    this.emitted++;
    this.time += Math.max(1, Math.round(prng.exp(this.opts.meanGapMs)));
    if (type === 'switch') {
      const msg = { msgid: this.msgid(false), action: 'switch', time: this.time, user: prng.pick(this.employees) };
      this.seen.add(type);
      return { msg, type };
    }
    if (type === 'revoke' && !this.recallable()) type = 'text';
    const conv = this.conversationFor(type);
    const from = this.senderFor(type, conv);
    const base: WecomMessage = {
      msgid: this.msgid(conv.external),
      action: type === 'revoke' ? 'recall' : 'send',
      from: from.id,
      tolist: conv.members.filter((m) => m !== from.id),
      roomid: conv.roomid,
      msgtime: this.time,
      msgtype: type,
    };
    const payload =
      type === 'revoke'
        ? { revoke: { pre_msgid: from.recalls } }
        : buildPayload(type, {
            prng,
            time: this.time,
            from: from.id,
            conv,
            media: this.opts.media,
            nameOf: (id) => this.names.get(id) ?? id,
            corpName: this.opts.directory.corpName,
            employees: this.employees,
            first: !this.seen.has(type),
          });
    this.seen.add(type);
    this.last = conv;
    if (type !== 'revoke') this.remember(conv, base.msgid as string, from.id);
    return { msg: { ...base, ...payload }, type };
  }

  /** WeCom's classic msgid: a 19-digit number and the send second, `_external` when an external takes part */
  private msgid(external: boolean): string {
    let id: string;
    do id = `${this.prng.digits(19)}_${Math.floor(this.time / 1000)}${external ? '_external' : ''}`;
    while (this.msgids.has(id));
    this.msgids.add(id);
    return id;
  }

  private recallable(): boolean {
    for (const sent of this.history.values()) if (sent.length > 0) return true;
    return false;
  }

  private conversationFor(type: string): Conversation {
    const { prng } = this;
    const fits = (c: Conversation): boolean => {
      switch (type) {
        case 'agree':
        case 'disagree':
          return c.externalPeer !== undefined;
        case 'external_redpacket':
          return c.external;
        case 'redpacket':
          return !c.external;
        case 'collect':
        case 'meeting_voice_call':
          return c.roomid !== '';
        case 'revoke':
          return (this.history.get(c)?.length ?? 0) > 0;
        default:
          return true;
      }
    };
    // recalls come soon after the message, in the same conversation
    if (type === 'revoke' && this.last && fits(this.last)) return this.last;
    const candidates = this.weights.filter(([c]) => fits(c));
    return prng.weighted(candidates.length > 0 ? candidates : this.weights);
  }

  private senderFor(type: string, conv: Conversation): { id: string; recalls?: string } {
    const { prng } = this;
    if (type === 'agree' || type === 'disagree') return { id: conv.externalPeer as string };
    if (type === 'revoke') {
      const sent = this.history.get(conv) as Sent[];
      const [target] = sent.splice(prng.int(Math.max(0, sent.length - 3), sent.length - 1), 1) as [Sent];
      return { id: target.from, recalls: target.msgid };
    }
    const robot = conv.members.find((m) => personKindOf(m) === 'robot');
    if (robot && (type === 'markdown' || type === 'news' || (type === 'text' && prng.chance(0.1))))
      return { id: robot };
    const humans = conv.members.filter((m) => personKindOf(m) !== 'robot');
    // money and calls come from the bank's side
    const staffOnly = ['redpacket', 'external_redpacket', 'meeting_voice_call', 'voip_doc_share', 'collect', 'docmsg'];
    const pool = staffOnly.includes(type) ? humans.filter((m) => personKindOf(m) === 'internal') : humans;
    return { id: prng.pick(pool.length > 0 ? pool : conv.members) };
  }

  private remember(conv: Conversation, msgid: string, from: string): void {
    let sent = this.history.get(conv);
    if (!sent) this.history.set(conv, (sent = []));
    sent.push({ msgid, from });
    if (sent.length > 8) sent.shift();
  }

  /** msgtime of the last message emitted, ms */
  get lastTime(): number {
    return this.time;
  }
}
