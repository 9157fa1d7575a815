/** Chat messages as the plain pages show them (the resident's and the agent's), with who said each. */
import type { ChatSender } from '../../platform/db/schema.ts';
import { formatDate } from '../../platform/views/index.ts';

export interface ShownMessage {
  sender: ChatSender;
  at: string;
  body: string;
  article?: { url: string; title: string } | null;
}

/** Each message with its sender's name (`names`: how this page names each kind of sender) and time. */
export function messageItems(messages: readonly ShownMessage[], names: Record<ChatSender, string>) {
  return messages.map((m) => ({
    who: names[m.sender],
    at: formatDate(new Date(m.at), 'time'),
    body: m.body,
    link: m.article ? { href: m.article.url, text: m.article.title } : null,
  }));
}
