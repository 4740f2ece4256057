/**
 * Message types that are text and links: text, revoke, consent (agree/disagree), card,
 * location, link, weapp, todo, markdown, news, docmsg, sphfeed and qydiskfile.
 */
import { type Fields, type TypeParser, asString, own, under } from './parse-util.js';

const text: TypeParser = {
  locate: under('text'),
  parse: (p) => ({ kind: 'text', text: p.str('content') }),
};

const revoke: TypeParser = {
  locate: under('revoke'),
  parse: (p) => ({ kind: 'revoke', preMsgid: p.str('pre_msgid') }),
};

/** An external contact's consent to archiving (agree) or its withdrawal (disagree). */
function consent(kind: 'agree' | 'disagree'): TypeParser {
  return {
    locate: under(kind),
    parse: (p) => ({ kind, userid: p.str('userid'), time: p.optNum(`${kind}_time`) }),
  };
}

const card: TypeParser = {
  locate: under('card'),
  parse: (p) => ({ kind: 'card', corpName: p.str('corpname'), userid: p.str('userid') }),
};

const location: TypeParser = {
  locate: under('location'),
  parse: (p) => ({
    kind: 'location',
    longitude: p.num('longitude'),
    latitude: p.num('latitude'),
    address: p.str('address'),
    title: p.str('title'),
    zoom: p.optNum('zoom'),
  }),
};

const link: TypeParser = {
  locate: under('link'),
  parse: (p) => ({
    kind: 'link',
    title: p.str('title'),
    description: p.str('description'),
    url: p.str('link_url'),
    imageUrl: p.str('image_url'),
  }),
};

const weapp: TypeParser = {
  locate: under('weapp'),
  parse: (p) => ({
    kind: 'weapp',
    title: p.str('title'),
    description: p.str('description'),
    username: p.str('username'),
    displayName: p.str('displayname'),
  }),
};

const todo: TypeParser = {
  locate: under('todo'),
  parse: (p) => ({ kind: 'todo', title: p.str('title'), content: p.str('content') }),
};

/** Markdown text is `info.content` in the vendor documentation and `info.markdown` in one binding. */
const markdown: TypeParser = {
  locate: under('info', 'markdown'),
  parse: (p) => {
    const content = asString(own(p.raw, 'content')) ?? asString(own(p.raw, 'markdown'));
    return { kind: 'markdown', content: content ?? p.str('content') };
  },
};

const news: TypeParser = {
  locate: under('info', 'news'),
  parse: (p) => ({
    kind: 'news',
    items: p.objects('item').map((i: Fields) => ({
      title: i.str('title'),
      description: i.str('description'),
      url: i.str('url'),
      picUrl: i.str('picurl'),
    })),
  }),
};

const docmsg: TypeParser = {
  locate: under('doc', 'docmsg'),
  parse: (p) => ({ kind: 'docmsg', title: p.str('title'), url: p.str('link_url'), creator: p.str('doc_creator') }),
};

const sphfeed: TypeParser = {
  locate: under('sphfeed'),
  parse: (p) => ({
    kind: 'sphfeed',
    feedType: p.optNum('feed_type'),
    name: p.str('sph_name'),
    description: p.str('feed_desc'),
  }),
};

const qydiskfile: TypeParser = {
  locate: under('info', 'qydiskfile'),
  parse: (p) => ({ kind: 'qydiskfile', filename: p.str('filename') }),
};

/** Parsers of the text-like msgtypes, by msgtype. */
export const TEXT_PARSERS: ReadonlyArray<readonly [string, TypeParser]> = [
  ['text', text],
  ['revoke', revoke],
  ['agree', consent('agree')],
  ['disagree', consent('disagree')],
  ['card', card],
  ['location', location],
  ['link', link],
  ['weapp', weapp],
  ['todo', todo],
  ['markdown', markdown],
  ['news', news],
  ['docmsg', docmsg],
  ['sphfeed', sphfeed],
  ['qydiskfile', qydiskfile],
];
