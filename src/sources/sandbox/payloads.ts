/**
 * The payload of each WeCom msgtype, with the vendor's exact field names and units (ms for
 * msgtime and agree_time, seconds for meeting, calendar and call times). The stream in
 * messages.ts decides who sends what when; this file only knows what each type carries.
 */
import type { PayloadContext } from './media-payloads.js';
import { buildMediaPayload } from './media-payloads.js';
import type { Prng } from './prng.js';
import { PLACES, chatText, topic } from './texts.js';

export type { MediaAllocator, PayloadContext, WecomMessage } from './media-payloads.js';
export { sdkFileIdsOf } from './media-payloads.js';

const sec = (ms: number): number => Math.floor(ms / 1000);
const hex = (prng: Prng, n: number): string => prng.chars(n, '0123456789abcdef');

/** The fields a message of `msgtype` carries besides the common ones (payload object and top-level extras). */
export function buildPayload(msgtype: string, ctx: PayloadContext): Record<string, unknown> {
  const withMedia = buildMediaPayload(msgtype, ctx);
  if (withMedia) return withMedia;
  const { prng, time } = ctx;
  switch (msgtype) {
    case 'text':
      return { text: { content: chatText(prng) } };
    case 'agree':
    case 'disagree':
      return { [msgtype]: { userid: ctx.from, [`${msgtype}_time`]: time - prng.int(0, 5000) } };
    case 'card':
      return { card: { corpname: ctx.corpName, userid: prng.pick(ctx.employees) } };
    case 'location': {
      const [address, title, longitude, latitude] = prng.pick(PLACES);
      return { location: { longitude, latitude, address, title, zoom: 15 } };
    }
    case 'link':
      return {
        link: {
          title: '央行公开市场操作公告 PBoC open market operations',
          description: chatText(prng),
          link_url: `https://news.example-bank.cn/a/${prng.digits(8)}`,
          image_url: `https://news.example-bank.cn/img/${prng.digits(6)}.jpg`,
        },
      };
    case 'weapp':
      return {
        weapp: {
          title: '手机银行 Mobile Banking',
          description: '账户余额查询 Balance enquiry',
          username: `gh_${hex(prng, 12)}@app`,
          displayname: '示例银行 Example Bank',
        },
      };
    case 'todo':
      return { todo: { title: topic(prng), content: chatText(prng) } };
    case 'vote': {
      const fields = {
        votetitle: `${topic(prng)}?`,
        voteitem: ['同意 Agree', '反对 Object', '弃权 Abstain'],
        votetype: prng.pick([101, 102]),
        voteid: prng.digits(19),
      };
      // the vendor document puts the vote fields at top level, some captures nest them: send both forms
      return ctx.first || prng.chance(0.5) ? fields : { vote: fields };
    }
    case 'collect':
      return {
        collect: {
          room_name: ctx.conv.roomid ? ctx.nameOf(ctx.conv.roomid) : '',
          creator: ctx.nameOf(ctx.from),
          create_time: new Date(time + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' '),
          title: '客户回访登记 Client follow-up form',
          details: [
            { id: 1, ques: '客户姓名 Client name', type: 'Text' },
            { id: 2, ques: '金额 Amount', type: 'Number' },
            { id: 3, ques: '日期 Date', type: 'Date' },
            { id: 4, ques: '时间 Time', type: 'Time' },
          ],
        },
      };
    case 'redpacket':
    case 'external_redpacket':
      return {
        redpacket: {
          type: prng.int(1, 3),
          wish: '恭喜发财，大吉大利 Best wishes',
          totalcnt: prng.int(1, 10),
          totalamount: prng.int(1, 200) * 100,
        },
      };
    case 'meeting': {
      const start = sec(time) + prng.int(1, 48) * 1800;
      return {
        meeting: {
          topic: topic(prng),
          starttime: start,
          endtime: start + 3600,
          address: prng.pick(PLACES)[1],
          remarks: chatText(prng),
          meetingtype: prng.pick([101, 102]),
          meetingid: Number(prng.digits(13)),
          status: prng.int(1, 7),
        },
      };
    }
    case 'meeting_notification':
      return {
        info: {
          content: `会议提醒：${topic(prng)} Meeting reminder`,
          meeting_id: prng.digits(13),
          notification_type: prng.int(1, 3),
        },
      };
    case 'docmsg':
      return {
        doc: {
          title: `${topic(prng)} 纪要 Notes`,
          link_url: `https://doc.weixin.qq.com/doc/${prng.chars(24)}`,
          doc_creator: ctx.from,
        },
      };
    case 'markdown':
      return {
        info: {
          content: `**${topic(prng)}**\n> ${chatText(prng)}\n- [详情 Details](https://oa.example-bank.cn/${prng.digits(6)})`,
        },
      };
    case 'news':
      return {
        info: {
          item: [
            {
              title: '今日市场要闻 Market brief',
              description: chatText(prng),
              url: `https://news.example-bank.cn/${prng.digits(6)}`,
              picurl: 'https://news.example-bank.cn/brief.jpg',
            },
            {
              title: '利率周报 Rates weekly',
              description: chatText(prng),
              url: `https://news.example-bank.cn/${prng.digits(6)}`,
              picurl: 'https://news.example-bank.cn/rates.jpg',
            },
          ],
        },
      };
    case 'calendar': {
      const start = sec(time) + prng.int(2, 96) * 1800;
      const attendees = ctx.conv.members.slice(0, 4).map((m) => ctx.nameOf(m));
      return {
        calendar: {
          title: topic(prng),
          creatorname: ctx.nameOf(ctx.from),
          attendeename: attendees,
          starttime: start,
          endtime: start + 1800 * prng.int(1, 4),
          place: prng.pick(PLACES)[1],
          remarks: chatText(prng),
        },
      };
    }
    case 'voiptext':
      return {
        info: { callduration: prng.int(5, 1800), invitetype: ctx.conv.roomid ? prng.pick([3, 4]) : prng.pick([1, 2]) },
      };
    case 'sphfeed':
      return {
        sphfeed: {
          feed_type: prng.pick([2, 4, 9]),
          sph_name: '示例银行财富 Example Bank Wealth',
          feed_desc: chatText(prng),
        },
      };
    case 'qydiskfile':
      return { info: { filename: prng.pick(ctx.media.pool.byKind.pdf).filename } };
    default:
      throw new RangeError(`no payload builder for msgtype ${msgtype}`);
  }
}
