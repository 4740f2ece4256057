import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findByKeyQuery, normalizePropId, odataString, PROP, propValue } from './props.js';

describe('extended property ids and queries', () => {
  it('quotes OData strings so any key round-trips', () => {
    expect(odataString("it's")).toBe("'it''s'");
    fc.assert(
      fc.property(fc.string(), (s) => {
        const q = odataString(s);
        expect(q.slice(1, -1).replace(/''/g, "'")).toBe(s);
        expect(q.slice(1, -1).replace(/''/g, '')).not.toContain("'");
      }),
    );
  });

  it('builds the documented Any() filter and the expand that returns the exact values', () => {
    const q = new URLSearchParams(findByKeyQuery("wecom:c:a'b"));
    expect(q.get('$filter')).toBe(
      `singleValueExtendedProperties/Any(ep: ep/id eq '${PROP.sourceItemId}' and ep/value eq 'wecom:c:a''b')`,
    );
    expect(q.get('$expand')).toBe(
      `singleValueExtendedProperties($filter=id eq '${PROP.sourceItemId}' or id eq '${PROP.attachmentCount}')`,
    );
  });

  it('matches ids in the spelling Graph echoes them, keeping the Name case-sensitive', () => {
    expect(normalizePropId('Integer 0x0E07')).toBe(normalizePropId('integer 0xe07'));
    expect(normalizePropId(PROP.sourceItemId)).toBe(
      normalizePropId(PROP.sourceItemId.toUpperCase().replace('NAME SOURCEITEMID', 'Name SourceItemId')),
    );
    expect(normalizePropId(PROP.sourceItemId)).not.toBe(
      normalizePropId(PROP.sourceItemId.replace('SourceItemId', 'sourceitemid')),
    );
    const props = [
      { id: 'Integer 0xe07', value: '1' },
      { id: PROP.sourceItemId, value: 'k' },
    ];
    expect(propValue(props, PROP.messageFlags)).toBe('1');
    expect(propValue(props, PROP.sourceItemId)).toBe('k');
    expect(propValue(props, PROP.attachmentCount)).toBeUndefined();
    expect(propValue(undefined, PROP.sourceItemId)).toBeUndefined();
  });
});
