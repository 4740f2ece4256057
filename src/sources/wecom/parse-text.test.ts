import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse.js';

const CORP = 'ww0123456789abcdef';
const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const parse = (raw: unknown) => parseMessage(raw, { corpId: CORP, seq: '42' });

describe('text-like message types', () => {
  it('text: every common field of a one-to-one message', () => {
    const m = parse(load('text'));
    expect(m).toEqual({
      modelVersion: 1,
      key: `wecom:${CORP}:txt-0001`,
      corpId: CORP,
      msgid: 'txt-0001',
      seq: '42',
      action: 'send',
      msgtype: 'text',
      time: 1700000000123,
      from: 'zhangsan',
      tolist: ['lisi'],
      roomid: '',
      conversation: { id: 'single:lisi:zhangsan', kind: 'single' },
      content: { kind: 'text', text: '你好，合同已发送。Hello, the contract has been sent.\n第二行 second line' },
      attachments: [],
      flags: [],
      external: false,
      upDownStream: false,
    });
  });

  it('revoke: a recall naming the recalled message', () => {
    const m = parse(load('revoke'));
    expect(m.action).toBe('recall');
    expect(m.content).toEqual({ kind: 'revoke', preMsgid: 'txt-0001' });
  });

  it('agree and disagree: consent of an external contact, marked external by the msgid', () => {
    const agree = parse(load('agree'));
    expect(agree.content).toEqual({ kind: 'agree', userid: 'wmErxtDgAA9AW32YyyuYRimKr7D1KWlw', time: 1700000000000 });
    expect(agree.external).toBe(true);
    expect(agree.from).toBe('wmErxtDgAA9AW32YyyuYRimKr7D1KWlw');
    const disagree = parse(load('disagree'));
    expect(disagree.content).toEqual({
      kind: 'disagree',
      userid: 'wmErxtDgAA9AW32YyyuYRimKr7D1KWlw',
      time: 1700000500000,
    });
  });

  it('card', () => {
    expect(parse(load('card')).content).toEqual({
      kind: 'card',
      corpName: '北京示例科技有限公司 Example Tech Co., Ltd.',
      userid: 'wangwu',
    });
  });

  it('location', () => {
    expect(parse(load('location')).content).toEqual({
      kind: 'location',
      longitude: 116.397128,
      latitude: 39.916527,
      address: '北京市东城区景山前街4号 4 Jingshan Front St, Beijing',
      title: '故宫博物院 The Palace Museum',
      zoom: 15,
    });
  });

  it('link', () => {
    expect(parse(load('link')).content).toEqual({
      kind: 'link',
      title: '会议纪要 Meeting minutes',
      description: "本周例会的纪要 Minutes of this week's meeting",
      url: 'https://example.com/minutes?id=1',
      imageUrl: 'https://example.com/thumb.png',
    });
  });

  it('weapp', () => {
    expect(parse(load('weapp')).content).toEqual({
      kind: 'weapp',
      title: '报销小程序 Expenses',
      description: '提交报销单 Submit an expense claim',
      username: 'gh_d3a3f0e5e4a1@app',
      displayName: '报销助手 Expense helper',
    });
  });

  it('todo', () => {
    const m = parse(load('todo'));
    expect(m.content).toEqual({
      kind: 'todo',
      title: '周五前提交 Submit by Friday',
      content: '请提交季度报告。Please submit the quarterly report.',
    });
    expect(m.conversation).toEqual({ id: 'wrTodoRoom', kind: 'group' });
  });

  it('markdown: under info.content and under info.markdown', () => {
    const a = parse(load('markdown'));
    expect(a.content).toEqual({ kind: 'markdown', content: '# 告警 Alert\n**CPU** 90%' });
    expect(a.from).toBe('wbRobot01');
    expect(a.flags).toEqual([]);
    const b = parse(load('markdown-alt'));
    expect(b.content).toEqual({ kind: 'markdown', content: '## 日报 Daily\n- 完成 done' });
    expect(b.flags).toEqual([]);
  });

  it('news: every article', () => {
    expect(parse(load('news')).content).toEqual({
      kind: 'news',
      items: [
        {
          title: '新品发布 Launch',
          description: '今天发布 Released today',
          url: 'https://example.com/news/1',
          picUrl: 'https://example.com/news/1.jpg',
        },
        { title: '公告 Notice', description: '放假通知 Holiday notice', url: 'https://example.com/news/2', picUrl: '' },
      ],
    });
  });

  it('docmsg: the payload is named doc', () => {
    expect(parse(load('docmsg')).content).toEqual({
      kind: 'docmsg',
      title: '产品需求 Product requirements',
      url: 'https://doc.weixin.qq.com/txdoc/word?docid=example',
      creator: 'zhangsan',
    });
  });

  it('sphfeed', () => {
    expect(parse(load('sphfeed')).content).toEqual({
      kind: 'sphfeed',
      feedType: 4,
      name: '示例视频号 Example channel',
      description: '新品演示 Product demo',
    });
  });

  it('qydiskfile: the payload is info', () => {
    expect(parse(load('qydiskfile')).content).toEqual({ kind: 'qydiskfile', filename: '共享文件 Shared file.docx' });
  });

  it('a missing payload gives defaults and the incomplete flag', () => {
    const raw = load('link');
    delete raw.link;
    const m = parse(raw);
    expect(m.content).toEqual({ kind: 'link', title: '', description: '', url: '', imageUrl: '' });
    expect(m.flags).toEqual(['incomplete-payload']);
  });
});
