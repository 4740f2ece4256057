/**
 * The archive folder in each mailbox: looked up by display name, created when missing (a 409
 * means another worker created it first), and its id cached per mailbox so an item costs no
 * folder request. A folder a user deletes is forgotten on the next 404 and found or made again.
 */
import { DestinationError } from '../types.js';
import type { GraphHttp } from './http.js';
import { odataString } from './props.js';

export class FolderCache {
  private readonly ids = new Map<string, Promise<string>>();

  constructor(
    private readonly http: GraphHttp,
    private readonly baseUrl: string,
    private readonly displayName: string,
  ) {}

  userUrl(mailbox: string): string {
    return `${this.baseUrl}/users/${encodeURIComponent(mailbox)}`;
  }

  /** The folder id, creating the folder when it does not exist yet. */
  id(mailbox: string): Promise<string> {
    const key = mailbox.toLowerCase();
    let p = this.ids.get(key);
    if (!p) {
      p = this.findOrCreate(mailbox);
      this.ids.set(key, p);
      // A failed lookup is not cached: the next item tries again.
      p.catch(() => {
        if (this.ids.get(key) === p) this.ids.delete(key);
      });
    }
    return p;
  }

  /** The folder id when the folder exists; never creates it (used by has() and check()). */
  async find(mailbox: string): Promise<string | undefined> {
    return this.ids.get(mailbox.toLowerCase()) ?? this.lookup(mailbox);
  }

  private async lookup(mailbox: string): Promise<string | undefined> {
    const filter = encodeURIComponent(`displayName eq ${odataString(this.displayName)}`);
    const reply = await this.http.send({
      mailbox,
      method: 'GET',
      url: `${this.userUrl(mailbox)}/mailFolders?$filter=${filter}&$select=id,displayName`,
      what: `looking up folder "${this.displayName}" in ${mailbox}`,
    });
    const list = (reply.body as { value?: { id?: unknown; displayName?: unknown }[] } | undefined)?.value ?? [];
    const match = list.find((f) => typeof f.id === 'string');
    return match ? String(match.id) : undefined;
  }

  forget(mailbox: string): void {
    this.ids.delete(mailbox.toLowerCase());
  }

  clear(): void {
    this.ids.clear();
  }

  private async findOrCreate(mailbox: string): Promise<string> {
    const found = await this.lookup(mailbox);
    if (found) return found;
    const reply = await this.http.send({
      mailbox,
      method: 'POST',
      url: `${this.userUrl(mailbox)}/mailFolders`,
      json: { displayName: this.displayName },
      what: `creating folder "${this.displayName}" in ${mailbox}`,
      accept: [409],
    });
    const id = (reply.body as { id?: unknown } | undefined)?.id;
    if (reply.status !== 409 && typeof id === 'string') return id;
    // 409 ErrorFolderExists: made meanwhile by another worker (or our own earlier attempt).
    const again = await this.lookup(mailbox);
    if (again) return again;
    throw new DestinationError(
      'transient',
      `folder "${this.displayName}" in ${mailbox} exists but cannot be found by its name`,
    );
  }
}
