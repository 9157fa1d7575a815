/**
 * The local outbox staff can view: `/staff/messages` lists recent messages with their delivery status
 * (no recipients or bodies in the list), `/staff/messages/:id` shows one and writes an audit row.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../../platform/audit/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { staffNavItems } from '../identity/index.ts';
import { findScopedMessage, listMessages, type MessageScope } from './notifications.repository.ts';
import { MESSAGE_STATUSES, messageDetail, messageTableRows } from './notifications.presenters.ts';
import { staffRoute } from '../../platform/http/route-options.ts';

const listQuery = z.object({
  status: z
    .enum(MESSAGE_STATUSES as [string, ...string[]])
    .optional()
    .catch(undefined),
});
const idParams = z.object({ id: z.uuid() });

interface StaffLike {
  id: string;
  authorityId: string;
  teams: { id: string; authorityId: string }[];
}

function scopeOf(staff: StaffLike): MessageScope {
  return {
    authorityIds: [...new Set([staff.authorityId, ...staff.teams.map((t) => t.authorityId)])],
    teamIds: staff.teams.map((t) => t.id),
  };
}

export async function registerStaffMessageRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  if (!staffNavItems.some((item) => item.href === '/staff/messages'))
    staffNavItems.push({ href: '/staff/messages', text: 'Messages', permission: 'cases:read' });

  app.get('/staff/messages', staffRoute('cases:read', 'message.list'), async (request, reply) => {
    const query = listQuery.parse(request.query ?? {});
    const status = query.status as (typeof MESSAGE_STATUSES)[number] | undefined;
    const rows = await listMessages(deps.db, scopeOf(request.staff!), { status, limit: 100 });
    return reply.view('notifications/staff/messages.njk', {
      pageTitle: 'Messages',
      rows: messageTableRows(rows),
      statusItems: [
        { value: '', text: 'Any status', selected: !status },
        ...MESSAGE_STATUSES.map((s) => ({
          value: s,
          text: s === 'delivered' ? 'Sent' : s.charAt(0).toUpperCase() + s.slice(1),
          selected: s === status,
        })),
      ],
    });
  });

  app.get('/staff/messages/:id', staffRoute('cases:read', 'message.view'), async (request, reply) => {
    const params = idParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const staff = request.staff!;
    const message = await findScopedMessage(deps.db, scopeOf(staff), params.data.id);
    if (!message) throw new NotFoundError();
    await audit(deps.db, {
      actorType: 'staff',
      actorId: staff.id,
      authorityId: message.authority_id,
      action: 'message.view',
      recordType: 'message',
      recordId: message.id,
      requestId: request.id,
    });
    return reply.view('notifications/staff/message.njk', {
      pageTitle: 'Message',
      ...messageDetail(message),
    });
  });
}
