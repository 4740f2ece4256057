/**
 * What the sandbox's people say: bank and broker business chat in Chinese, English and both,
 * with a few lines that a supervision lexicon should catch (promised returns, off-channel
 * requests), so search and supervision have something real to find.
 */
import type { Prng } from './prng.js';

const TEMPLATES: readonly string[] = [
  '请确认一下今天 {bond} 的报价 Please confirm today’s quote on {bond}',
  '客户要求下午{hour}点前完成划款，金额 {amount} 元',
  'Client wants the transfer of CNY {amount} done before {hour}:00',
  '{bond} 现在 bid {price} / offer {price2}，要不要做？',
  'Can you send me the KYC form for the new account? 新开户的风险测评表麻烦发我一下',
  '好的，收到 OK, noted',
  '会议改到明天上午{hour}点 Meeting moved to {hour}:00 tomorrow',
  '这只理财产品的业绩比较基准是 {rate}%，不是保证收益',
  'The benchmark for this product is {rate}% p.a.; past performance is not a guarantee',
  '麻烦把合同扫描件发一下，我这边走用印流程',
  'Please check the settlement instructions for trade {ref}',
  '交易 {ref} 已经成交，数量 {qty}，价格 {price}',
  'Trade {ref} done: {qty} @ {price}',
  '今天资金面偏紧，隔夜回购利率 {rate}%',
  'Liquidity is tight today, overnight repo at {rate}%',
  '客户问能不能提前赎回，我查一下条款',
  'Sorry, I am in a meeting, call you back in 10 min 抱歉在开会，十分钟后回电',
  '季度报告已经上传到共享盘 The quarterly report is on the shared drive',
  '谢谢！Thanks a lot!',
  '这个月的 AUM 目标还差 {amount} 万',
  'Let’s keep the pricing discussion on this channel per compliance policy',
  '风控那边需要你补充一下授信材料 Risk needs the supporting credit documents',
  '明天有路演，{bond} 的发行规模 {size} 亿',
  'Roadshow tomorrow for {bond}, size CNY {size}bn',
  '已提交审批，编号 {ref}',
  '收到，我和客户确认后回复你',
  'Can we lock the rate at {rate}% today?',
  '这单我们保本保收益，您放心 (we guarantee principal and return)',
  'Let’s move this to my personal WeChat, easier to talk there 加我私人微信吧',
  '请注意，以上内容仅供参考，不构成投资建议 For reference only, not investment advice',
  'Where are we on the {bond} allocation?',
  '{bond} 的分配结果出来了，我们拿到 {qty}',
  'OK 👍',
  '周五前需要完成反洗钱复核 AML review due Friday',
  '客户 {ref} 的大额交易需要报备',
  'Large transaction for client {ref} must be reported',
  '辛苦了 Good work today',
  'Please don’t share the client list outside the bank 客户名单不要外传',
  '新的费率表在附件里 New fee schedule attached',
  '明白，马上处理 Understood, on it',
];

const BONDS = ['19国开05', '21进出12', '22农发07', '23国债09', 'CDB 3.12 2031', 'SPDB 2.9 2027'];

function fill(prng: Prng, template: string): string {
  return template.replace(/\{(\w+)\}/g, (_m, slot: string) => {
    switch (slot) {
      case 'bond':
        return prng.pick(BONDS);
      case 'hour':
        return String(prng.int(9, 17));
      case 'amount':
        return String(prng.int(1, 900) * 10);
      case 'size':
        return String(prng.int(1, 30));
      case 'price':
      case 'price2':
        return (98 + prng.float() * 4).toFixed(3);
      case 'rate':
        return (1.2 + prng.float() * 3).toFixed(2);
      case 'qty':
        return `${prng.int(1, 50) * 1000}万`;
      case 'ref':
        return `T${prng.digits(8)}`;
      default:
        return slot;
    }
  });
}

/** one chat line */
export function chatText(prng: Prng): string {
  return fill(prng, prng.pick(TEMPLATES));
}

/** short titles for todos, votes, meetings and documents */
export const TOPICS: readonly string[] = [
  '周例会 Weekly sync',
  '{bond} 定价 Pricing',
  '客户回访 Client follow-up',
  '合规培训 Compliance training',
  '季度复盘 Quarterly review',
  '反洗钱检查 AML check',
];

export function topic(prng: Prng): string {
  return fill(prng, prng.pick(TOPICS));
}

export const PLACES: readonly (readonly [string, string, number, number])[] = [
  ['上海市浦东新区陆家嘴环路 1000 号', '国金中心 IFC Shanghai', 121.5024, 31.2363],
  ['北京市西城区金融大街 7 号', '英蓝国际金融中心 Winland IFC', 116.3592, 39.9153],
  ['深圳市福田区深南大道 5023 号', '平安金融中心 Ping An Finance Centre', 114.0555, 22.5367],
];
