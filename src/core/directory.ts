/**
 * What a source knows about the people and rooms of a corp (WeCom's directory APIs, or the
 * sandbox tenant). Used to enrich participants with names and to map them to mailboxes.
 */
import type { Person } from './model.js';

export interface Room {
  id: string;
  name: string;
  /** internal group (msgaudit/groupchat/get) or customer group (externalcontact/groupchat/get) */
  kind: 'internal' | 'customer';
  members: string[];
}

export interface DirectorySnapshot {
  corpId: string;
  corpName: string;
  people: Person[];
  rooms: Room[];
}
