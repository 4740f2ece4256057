/**
 * Message types that record an event or a structured form: vote, collect (a form to fill in),
 * red packets, meetings and their notifications, calendar invitations and call records.
 */
import { type Fields, type JsonObject, type TypeParser, isObject, own, under } from './parse-util.js';

/** Vote fields sit at the top level in the vendor documentation and inside `vote` in some bindings. */
function votePayload(msg: JsonObject): JsonObject {
  const nested = own(msg, 'vote');
  return isObject(nested) ? nested : msg;
}

const vote: TypeParser = {
  locate: votePayload,
  parse: (p) => ({
    kind: 'vote',
    title: p.str('votetitle'),
    items: p.strList('voteitem'),
    voteType: p.optNum('votetype'),
    voteId: p.str('voteid'),
  }),
};

const collect: TypeParser = {
  locate: under('collect'),
  parse: (p) => ({
    kind: 'collect',
    roomName: p.str('room_name'),
    creator: p.str('creator'),
    createTime: p.str('create_time'),
    title: p.str('title'),
    details: p
      .objects('details')
      .map((d: Fields) => ({ id: d.optNum('id'), ques: d.str('ques'), type: d.str('type') })),
  }),
};

/** Both red packet types use the `redpacket` payload; `external_redpacket` is tried for safety. */
function redpacket(external: boolean): TypeParser {
  return {
    locate: under('redpacket', 'external_redpacket'),
    parse: (p) => ({
      kind: 'redpacket',
      packetType: p.optNum('type'),
      wish: p.str('wish'),
      totalCount: p.optNum('totalcnt'),
      totalAmountFen: p.optNum('totalamount'),
      external,
    }),
  };
}

const meeting: TypeParser = {
  locate: under('meeting'),
  parse: (p) => ({
    kind: 'meeting',
    topic: p.str('topic'),
    startTime: p.optNum('starttime'),
    endTime: p.optNum('endtime'),
    address: p.str('address'),
    remarks: p.str('remarks'),
    meetingType: p.optNum('meetingtype'),
    meetingId: p.optStr('meetingid'),
    status: p.optNum('status'),
  }),
};

const meetingNotification: TypeParser = {
  locate: under('info', 'meeting_notification'),
  parse: (p) => ({
    kind: 'meeting_notification',
    content: p.str('content'),
    meetingId: p.optStr('meeting_id'),
    notificationType: p.optNum('notification_type'),
  }),
};

const calendar: TypeParser = {
  locate: under('calendar'),
  parse: (p) => ({
    kind: 'calendar',
    title: p.str('title'),
    creatorName: p.str('creatorname'),
    attendees: p.strList('attendeename'),
    startTime: p.optNum('starttime'),
    endTime: p.optNum('endtime'),
    place: p.str('place'),
    remarks: p.str('remarks'),
  }),
};

/** A call record: under `info` in the vendor documentation, under `voiptext` in one binding. */
const voiptext: TypeParser = {
  locate: under('info', 'voiptext'),
  parse: (p) => ({ kind: 'voiptext', callDuration: p.num('callduration'), inviteType: p.num('invitetype') }),
};

/** Parsers of the event-like msgtypes, by msgtype. */
export const EVENT_PARSERS: ReadonlyArray<readonly [string, TypeParser]> = [
  ['vote', vote],
  ['collect', collect],
  ['redpacket', redpacket(false)],
  ['external_redpacket', redpacket(true)],
  ['meeting', meeting],
  ['meeting_notification', meetingNotification],
  ['calendar', calendar],
  ['voiptext', voiptext],
];
