/**
 * The HTTP server's share of the root logger: a `{component: 'http'}` child whose request lines
 * carry a request id, the method and the path only. The query string is left out on purpose: a
 * mailbox search puts the searched words there, and those are regulated content.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';
import { silentLogger, type Logger } from '../core/logger.js';

interface LoggedRequest {
  id?: string;
  method?: string;
  url?: string;
}

interface LoggedReply {
  statusCode?: number;
}

export function httpLoggerOptions(root: Logger | undefined): Pick<FastifyServerOptions, 'loggerInstance' | 'genReqId'> {
  const loggerInstance = (root ?? silentLogger).child(
    { component: 'http' },
    {
      serializers: {
        req: (req: LoggedRequest) => ({ id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] }),
        res: (res: LoggedReply) => ({ statusCode: res.statusCode }),
      },
    },
  );
  return { loggerInstance, genReqId: () => randomUUID() };
}
