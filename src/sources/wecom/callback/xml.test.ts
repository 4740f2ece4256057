import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xmlField } from './xml.js';

describe('xmlField', () => {
  const doc =
    '<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt> <![CDATA[a+b/c=]]> </Encrypt>' +
    '<AgentID>2000004</AgentID><Event><![CDATA[msgaudit_notify]]></Event><Empty></Empty><Nested><a>1</a></Nested></xml>';

  it('reads CDATA and plain values', () => {
    expect(xmlField(doc, 'ToUserName')).toBe('ww1436e0e65a779aee');
    expect(xmlField(doc, 'Encrypt')).toBe('a+b/c=');
    expect(xmlField(doc, 'AgentID')).toBe('2000004');
    expect(xmlField(doc, 'Event')).toBe('msgaudit_notify');
    expect(xmlField(doc, 'Empty')).toBe('');
  });

  it('gives undefined for absent, unclosed or nested elements', () => {
    expect(xmlField(doc, 'MsgType')).toBeUndefined();
    expect(xmlField(doc, 'Nested')).toBeUndefined();
    expect(xmlField('<Encrypt><![CDATA[abc', 'Encrypt')).toBeUndefined();
    expect(xmlField('<Encrypt>abc', 'Encrypt')).toBeUndefined();
    expect(xmlField('<Encrypt>abc</Other>', 'Encrypt')).toBeUndefined();
  });

  it('keeps a CDATA value that contains markup', () => {
    expect(xmlField('<Content><![CDATA[<b>hi</b> </Content>]]></Content>', 'Content')).toBe('<b>hi</b> </Content>');
  });

  it('refuses element names that are not names', () => {
    expect(() => xmlField(doc, 'a.b')).toThrow(RangeError);
  });

  it('returns any CDATA value unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        fc.pre(!value.includes(']]>'));
        expect(xmlField(`<xml><Encrypt><![CDATA[${value}]]></Encrypt></xml>`, 'Encrypt')).toBe(value);
      }),
    );
  });

  it('never throws on arbitrary bodies, and stays fast on hostile ones', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (body) => {
        const got = xmlField(body, 'Encrypt');
        expect(got === undefined || typeof got === 'string').toBe(true);
      }),
    );
    const hostile = '<Encrypt><![CDATA['.repeat(4000);
    const t0 = performance.now();
    expect(xmlField(hostile, 'Encrypt')).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(250);
  });
});
