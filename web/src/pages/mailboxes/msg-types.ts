/**
 * Names of WeCom message types (the archive's `msgtype`) for the message list and the item
 * header; a type not listed here is shown as WeCom spells it.
 */
import { tk } from '../../i18n-keys.js';

export const MSG_TYPE_LABEL: Record<string, string> = {
  text: tk('mailboxes:types.text'),
  markdown: tk('mailboxes:types.markdown'),
  image: tk('mailboxes:types.image'),
  voice: tk('mailboxes:types.voice'),
  video: tk('mailboxes:types.video'),
  file: tk('mailboxes:types.file'),
  emotion: tk('mailboxes:types.emotion'),
  link: tk('mailboxes:types.link'),
  news: tk('mailboxes:types.news'),
  weapp: tk('mailboxes:types.weapp'),
  card: tk('mailboxes:types.card'),
  location: tk('mailboxes:types.location'),
  chatrecord: tk('mailboxes:types.chatrecord'),
  mixed: tk('mailboxes:types.mixed'),
  revoke: tk('mailboxes:types.revoke'),
  agree: tk('mailboxes:types.agree'),
  disagree: tk('mailboxes:types.disagree'),
  todo: tk('mailboxes:types.todo'),
  vote: tk('mailboxes:types.vote'),
  collect: tk('mailboxes:types.collect'),
  redpacket: tk('mailboxes:types.redpacket'),
  external_redpacket: tk('mailboxes:types.external_redpacket'),
  meeting: tk('mailboxes:types.meeting'),
  meeting_notification: tk('mailboxes:types.meeting_notification'),
  meeting_voice_call: tk('mailboxes:types.meeting_voice_call'),
  voip_doc_share: tk('mailboxes:types.voip_doc_share'),
  voiptext: tk('mailboxes:types.voiptext'),
  calendar: tk('mailboxes:types.calendar'),
  docmsg: tk('mailboxes:types.docmsg'),
  sphfeed: tk('mailboxes:types.sphfeed'),
  qydiskfile: tk('mailboxes:types.qydiskfile'),
  switch: tk('mailboxes:types.switch'),
};

/** The catalogue key of a type's name, or undefined for a type the console does not name. */
export function msgTypeKey(msgType: string): string | undefined {
  return Object.hasOwn(MSG_TYPE_LABEL, msgType) ? MSG_TYPE_LABEL[msgType] : undefined;
}
