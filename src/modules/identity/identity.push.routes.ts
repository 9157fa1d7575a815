/**
 * `GET /staff/push`: a server-sent-event stream of the messages for the signed-in member of staff (screen
 * pops, callback reminders), from the process's `staffHub` (docs/realtime.md). `staff-push.js` listens;
 * without JavaScript the same state shows on the pages themselves when loaded.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { staffHub } from '../../platform/realtime/index.ts';

const HEARTBEAT_MS = 25_000;

export async function registerStaffPush(app: FastifyInstance): Promise<void> {
  const open = new Set<ServerResponse>();
  app.addHook('onClose', async () => {
    for (const raw of open) raw.end();
    open.clear();
  });

  app.get(
    '/staff/push',
    { config: { permission: 'workspace:use', auditEvent: false } },
    async (request, reply) => {
      const staff = request.staff!;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      raw.write('retry: 5000\n\n');
      open.add(raw);
      const unsubscribe = staffHub.subscribe(staff.id, (message) => {
        raw.write(`event: ${message.kind}\ndata: ${JSON.stringify(message)}\n\n`);
      });
      const heartbeat = setInterval(() => raw.write(': still here\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const done = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(raw);
      };
      raw.on('close', done);
      request.raw.on('close', done);
    },
  );
}
