/**
 * The search benchmark's corpus: varied mixed Chinese/English chat messages made from word
 * lists by a seeded generator (the same seed, the same corpus), with senders, conversations
 * and times spread over a year. Realistic enough that bigram and word frequencies follow a
 * long tail, not one repeated string.
 */
import type { SearchDocument } from '../src/compliance/search/index.js';
import { prng } from './prng.js';

const ZH = (
  '客户 理财 产品 保本 收益 风险 基金 股票 债券 合同 条款 赎回 申购 净值 利率 汇率 审批 合规 报告 季度 ' +
  '年度 会议 时间 地点 确认 提交 上传 下载 文件 附件 资料 邮件 电话 微信 群聊 通知 安排 计划 预算 成本 ' +
  '价格 折扣 优惠 佣金 手续费 账户 转账 汇款 结算 交易 订单 发票 付款 收款 到账 延迟 问题 处理 解决 回复 ' +
  '明天 今天 下午 上午 晚上 周一 周五 月底 年底 尽快 马上 稍后 已经 还没 可以 需要 应该 不能 必须 建议 ' +
  '我们 你们 他们 大家 领导 同事 经理 总监 部门 团队 公司 银行 证券 保险 信托 分行 支行 总部 上海 北京 ' +
  '深圳 广州 杭州 香港 新加坡 伦敦 纽约 项目 进度 目标 业绩 考核 培训 系统 升级 维护 故障 恢复 数据 备份 ' +
  '安全 密码 登录 权限 审计 监管 检查 材料 签字 盖章 原件 复印件 身份证 营业执照 开户 销户 冻结 解冻 额度 ' +
  '授信 贷款 抵押 担保 逾期 催收 投诉 建议 满意 感谢 辛苦 麻烦 抱歉 收到 好的 没问题 明白 了解 同意'
).split(' ');
const EN = (
  'client fund bond equity report quarterly annual meeting deadline review approve approval compliance ' +
  'risk return yield rate price discount fee commission account transfer settlement trade order invoice ' +
  'payment received delayed issue resolve reply tomorrow today afternoon morning monday friday asap please ' +
  'check confirm upload download file attachment document email call schedule budget cost team manager ' +
  'director office shanghai beijing shenzhen hongkong singapore london project progress target training ' +
  'system upgrade maintenance outage recovery data backup security password login access audit regulator ' +
  'contract clause redemption subscription nav forex loan credit limit overdue complaint thanks sorry ok ' +
  'portfolio allocation hedge margin leverage liquidity custody onboarding kyc aml sanction escalate'
).split(' ');
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈'.split('');
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰海燕鹏飞宇轩子涵欣怡浩然思远'.split(
  '',
);

/** Zipf-like pick: a few words are common, most are rare. */
function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(list.length * r() ** 2.2)]!;
}

export interface CorpusPerson {
  id: string;
  name: string;
  mobile: string;
  email: string;
}

export function people(count: number, seed: number): CorpusPerson[] {
  const r = prng(seed);
  const out: CorpusPerson[] = [];
  for (let i = 0; i < count; i++) {
    const name =
      pick(r, SURNAMES) +
      GIVEN[Math.floor(r() * GIVEN.length)]! +
      (r() < 0.5 ? GIVEN[Math.floor(r() * GIVEN.length)]! : '');
    out.push({
      id: `user${i.toString(36)}`,
      name,
      mobile: `+86138${String(10_000_000 + i).slice(-8)}`,
      email: `user${i}@example-bank.cn`,
    });
  }
  return out;
}

export function sentence(r: () => number): string {
  const n = 4 + Math.floor(r() * 16);
  let out = '';
  let lastZh = false;
  for (let i = 0; i < n; i++) {
    const zh = r() < 0.65;
    const w = zh ? pick(r, ZH) : pick(r, EN);
    if (r() < 0.04) out += ` T${Math.floor(r() * 1e8)}`;
    out += zh && lastZh ? w : (out ? ' ' : '') + w;
    if (zh && r() < 0.12) out += r() < 0.5 ? '，' : '。';
    lastZh = zh;
  }
  return out;
}

/** Message i of the corpus (deterministic in seed and i). */
export function documentAt(i: number, seed: number, who: readonly CorpusPerson[], start: number): SearchDocument {
  const r = prng(seed * 7919 + i);
  const from = who[Math.floor(r() * who.length)]!;
  const to = who[Math.floor(r() * who.length)]!;
  const group = r() < 0.4;
  const conv = group ? `wr${Math.floor(r() * 500)}` : `single:${[from.id, to.id].sort().join(':')}`;
  // One message about every 31 s over the year, in order, with jitter.
  const time = start + i * 31_000 + Math.floor(r() * 30_000);
  return {
    itemKey: `wecom:bench:${i}`,
    msgid: `m${i}`,
    connectorId: 'bench',
    time,
    msgtype: 'text',
    from: { id: from.id, name: from.name, mobile: from.mobile, email: from.email, mailbox: from.email },
    to: [{ id: to.id, name: to.name, mobile: to.mobile, email: to.email, mailbox: to.email }],
    conversation: { id: conv, ...(group ? { name: `项目群 ${conv}` } : {}), kind: group ? 'group' : 'single' },
    mailboxes: [from.email, to.email],
    recalled: false,
    hasAttachments: false,
    external: false,
    texts: [sentence(r)],
    fileNames: [],
    attachmentTexts: [],
    unreadableAttachments: 0,
  };
}
