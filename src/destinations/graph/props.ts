/**
 * The MAPI properties a Graph copy of an item carries, and the OData text that finds a copy
 * by them. Properties are set when the message is created: PR_MESSAGE_FLAGS in particular is
 * read-only after the first save ([MS-OXCMSG] 2.2.1.6), and without it the item is a draft.
 */

/** Our named-property set: a fixed GUID so every install finds the items of every other. */
export const PROPERTY_SET = '{7694a5ce-9d83-4884-ab43-7aef4ab726cb}';

export const PROP = {
  /** PidTagMessageFlags: mfRead (0x1) and not mfUnsent (0x8), so a read, received item, not a draft */
  messageFlags: 'Integer 0x0E07',
  /** PidTagMessageDeliveryTime: shown as receivedDateTime */
  deliveryTime: 'SystemTime 0x0E06',
  /** PidTagClientSubmitTime: shown as sentDateTime */
  submitTime: 'SystemTime 0x0039',
  /** PidTagInternetMessageId: shown as internetMessageId */
  internetMessageId: 'String 0x1035',
  /** PidTagMessageClass */
  messageClass: 'String 0x001A',
  /** PidTagInReplyToId and PidTagInternetReferences: thread the copy like the MIME copy */
  inReplyTo: 'String 0x1042',
  references: 'String 0x1039',
  /** our stable item key: how a copy is found again after a crash */
  sourceItemId: `String ${PROPERTY_SET} Name SourceItemId`,
  /** how many attachments the complete copy holds: a copy with fewer is unfinished */
  attachmentCount: `Integer ${PROPERTY_SET} Name AttachmentCount`,
} as const;

/** mfRead: read, and (no mfUnsent) a sent/received item rather than a draft. */
export const MESSAGE_FLAGS_READ = 1;

export const MESSAGE_CLASS = 'IPM.Note.WeChat';

/** An OData string literal: single quotes doubled (OData ABNF `SQUOTE-in-string`). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Query string that finds the copy of an item in a folder and returns, with each match, the
 * exact SourceItemId and AttachmentCount values. Graph compares extended property values
 * case-insensitively, while item keys (WeCom msgids) are case-sensitive; the caller compares
 * the returned value exactly so `...abC` never passes for `...abc`.
 */
export function findByKeyQuery(key: string): string {
  const filter = `singleValueExtendedProperties/Any(ep: ep/id eq ${odataString(PROP.sourceItemId)} and ep/value eq ${odataString(key)})`;
  const expand = `singleValueExtendedProperties($filter=id eq ${odataString(PROP.sourceItemId)} or id eq ${odataString(PROP.attachmentCount)})`;
  return `$filter=${encodeURIComponent(filter)}&$select=id&$expand=${encodeURIComponent(expand)}&$top=10`;
}

/** The value of an extended property in a Graph answer, matching the id as Graph rewrites it. */
export function propValue(props: unknown, id: string): string | undefined {
  if (!Array.isArray(props)) return undefined;
  const want = normalizePropId(id);
  for (const p of props as { id?: unknown; value?: unknown }[]) {
    if (typeof p.id === 'string' && normalizePropId(p.id) === want && typeof p.value === 'string') return p.value;
  }
  return undefined;
}

/**
 * Graph echoes property ids in its own spelling (`Integer 0xe07`, GUIDs in either case), so
 * ids are compared after lower-casing the type, tag and GUID and dropping leading zeros of
 * tags; the Name part stays case-sensitive, as Graph treats it.
 */
export function normalizePropId(id: string): string {
  const m = /^(\w+)\s+(\{[0-9a-f-]+\})\s+Name\s+(.+)$/i.exec(id.trim());
  if (m) return `${(m[1] ?? '').toLowerCase()} ${(m[2] ?? '').toLowerCase()} Name ${m[3] ?? ''}`;
  const t = /^(\w+)\s+0x0*([0-9a-f]+)$/i.exec(id.trim());
  if (t) return `${(t[1] ?? '').toLowerCase()} 0x${(t[2] ?? '').toLowerCase()}`;
  return id.trim();
}
