import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse.js';

const CORP = 'ww0123456789abcdef';
const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const parse = (raw: unknown) => parseMessage(raw, { corpId: CORP, seq: '7' });

describe('event-like message types', () => {
  it('vote: fields at the top level', () => {
    const m = parse(load('vote'));
    expect(m.content).toEqual({
      kind: 'vote',
      title: '午餐吃什么？ What for lunch?',
      items: ['饺子 Dumplings', '面条 Noodles'],
      voteType: 101,
      voteId: '2488469885_1000000001',
    });
    expect(m.flags).toEqual([]);
  });

  it('vote: fields inside vote, with a string votetype', () => {
    const m = parse(load('vote-nested'));
    expect(m.content).toEqual({
      kind: 'vote',
      title: '午餐吃什么？ What for lunch?',
      items: ['饺子 Dumplings'],
      voteType: 102,
      voteId: '2488469885_1000000001',
    });
    expect(m.flags).toEqual([]);
  });

  it('collect: the form and its questions', () => {
    expect(parse(load('collect')).content).toEqual({
      kind: 'collect',
      roomName: '项目群 Project group',
      creator: '张三 Zhang San',
      createTime: '2023-11-14 10:00:00',
      title: '出行登记 Travel registration',
      details: [
        { id: 1, ques: '姓名 Name', type: 'Text' },
        { id: 2, ques: '人数 Headcount', type: 'Number' },
        { id: 3, ques: '日期 Date', type: 'Date' },
      ],
    });
  });

  it('redpacket and external_redpacket share the redpacket payload', () => {
    expect(parse(load('redpacket')).content).toEqual({
      kind: 'redpacket',
      packetType: 2,
      wish: '恭喜发财 Happy New Year',
      totalCount: 10,
      totalAmountFen: 3000,
      external: false,
    });
    const ext = parse(load('external-redpacket'));
    expect(ext.msgtype).toBe('external_redpacket');
    expect(ext.external).toBe(true);
    expect(ext.content).toEqual({
      kind: 'redpacket',
      packetType: 1,
      wish: '大吉大利 Good luck',
      totalCount: 1,
      totalAmountFen: 888,
      external: true,
    });
  });

  it('meeting: a numeric meetingid becomes a string', () => {
    expect(parse(load('meeting')).content).toEqual({
      kind: 'meeting',
      topic: '季度评审 Quarterly review',
      startTime: 1700100000,
      endTime: 1700103600,
      address: '三楼会议室 Room 3F',
      remarks: '请准时 Please be on time',
      meetingType: 101,
      meetingId: '1306387',
      status: 1,
    });
  });

  it('meeting_notification: the payload is info', () => {
    expect(parse(load('meeting-notification')).content).toEqual({
      kind: 'meeting_notification',
      content: '会议已开始 The meeting has started',
      meetingId: '6811460423589376',
      notificationType: 2,
    });
  });

  it('calendar', () => {
    expect(parse(load('calendar')).content).toEqual({
      kind: 'calendar',
      title: '客户拜访 Client visit',
      creatorName: '张三 Zhang San',
      attendees: ['李四 Li Si', '王五 Wang Wu'],
      startTime: 1700200000,
      endTime: 1700207200,
      place: '上海办公室 Shanghai office',
      remarks: '带上样品 Bring samples',
    });
  });

  it('voiptext: under info and under voiptext', () => {
    const a = parse(load('voiptext'));
    expect(a.content).toEqual({ kind: 'voiptext', callDuration: 125, inviteType: 2 });
    expect(a.flags).toEqual([]);
    const b = parse(load('voiptext-alt'));
    expect(b.content).toEqual({ kind: 'voiptext', callDuration: 60, inviteType: 3 });
    expect(b.flags).toEqual([]);
  });

  it('vote items that are not strings are dropped and flagged', () => {
    const raw = load('vote');
    raw.voteitem = ['a', { bad: true }, 3];
    const m = parse(raw);
    expect(m.content).toMatchObject({ items: ['a', '3'] });
    expect(m.flags).toEqual(['incomplete-payload']);
  });
});
