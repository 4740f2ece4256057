/**
 * The "WeChat Archiver" label of each mailbox: found with users.labels.list, created with
 * users.labels.create when missing (409 "Label name exists or conflicts" means another worker
 * created it first: look again), and its id cached per mailbox. Looking never creates, so
 * has() writes nothing.
 */
import { DestinationError } from '../types.js';
import type { GmailHttp } from './http.js';

interface Label {
  id?: unknown;
  name?: unknown;
}

/**
 * The API base of a mailbox. `me` is the user the token was issued for (the JWT `sub`), so
 * the path never disagrees with the token, whatever address form the mapping holds.
 */
export function userUrl(apiBaseUrl: string): string {
  return `${apiBaseUrl.replace(/\/+$/, '')}/gmail/v1/users/me`;
}

export class LabelCache {
  private readonly ids = new Map<string, string>();
  private readonly creating = new Map<string, Promise<string>>();

  constructor(
    private readonly http: GmailHttp,
    private readonly apiBaseUrl: string,
    readonly name: string,
  ) {}

  /** The label's id in the mailbox, or undefined when it does not exist yet. */
  async find(mailbox: string): Promise<string | undefined> {
    const cached = this.ids.get(mailbox);
    if (cached) return cached;
    const reply = await this.http.send({
      mailbox,
      method: 'GET',
      url: `${userUrl(this.apiBaseUrl)}/labels`,
      what: `listing the labels of ${mailbox}`,
      idempotent: true,
    });
    const labels = ((reply.body as { labels?: Label[] } | undefined)?.labels ?? []).filter(
      (l): l is { id: string; name: string } => typeof l.id === 'string' && typeof l.name === 'string',
    );
    // Gmail treats label names that differ only in case as the same name (409 on create).
    const folded = this.name.toLowerCase();
    const hit = labels.find((l) => l.name === this.name) ?? labels.find((l) => l.name.toLowerCase() === folded);
    if (hit) this.ids.set(mailbox, hit.id);
    return hit?.id;
  }

  /** The label's id, creating the label first when the mailbox has none. */
  ensure(mailbox: string): Promise<string> {
    const cached = this.ids.get(mailbox);
    if (cached) return Promise.resolve(cached);
    let p = this.creating.get(mailbox);
    if (!p) {
      p = this.findOrCreate(mailbox).finally(() => this.creating.delete(mailbox));
      this.creating.set(mailbox, p);
    }
    return p;
  }

  private async findOrCreate(mailbox: string): Promise<string> {
    const found = await this.find(mailbox);
    if (found) return found;
    const reply = await this.http.send({
      mailbox,
      method: 'POST',
      url: `${userUrl(this.apiBaseUrl)}/labels`,
      what: `creating label "${this.name}" in ${mailbox}`,
      json: { name: this.name, labelListVisibility: 'labelShow', messageListVisibility: 'show' },
      // A lost answer is harmless: the retry gets 409 and looks the label up.
      idempotent: true,
      accept: [409],
    });
    const created = reply.body as Label | undefined;
    if (reply.status !== 409 && typeof created?.id === 'string') {
      this.ids.set(mailbox, created.id);
      return created.id;
    }
    const again = await this.find(mailbox);
    if (again) return again;
    throw new DestinationError(
      'permanent',
      `Gmail refused to create label "${this.name}" in ${mailbox} as a duplicate but does not list it; ` +
        'a system label may have that name: choose another label',
    );
  }

  /** After Gmail rejected the cached id (the label was deleted meanwhile). */
  forget(mailbox: string): void {
    this.ids.delete(mailbox);
  }

  clear(): void {
    this.ids.clear();
  }
}
