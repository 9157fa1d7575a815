/**
 * The web process's chat subscribers: the sockets and event streams of a chat (the resident's tabs and the
 * agent's) and of each agent. Frames are published after the change they report has committed; every frame
 * can be fetched again from the database (messages after a sequence, the queue position), so a subscriber
 * that missed one catches up on reconnect. One process only: see docs/webchat.md "Limits".
 */
import { EventEmitter } from 'node:events';
import type { ChatSender, ChatStatus } from '../../platform/db/index.ts';

export interface MessageFrame {
  type: 'message';
  chatId: string;
  seq: number;
  sender: ChatSender;
  body: string;
  at: string;
  clientId: string | null;
  article: { slug: string; title: string; version: number; url: string } | null;
}

export type ServerFrame =
  | MessageFrame
  | { type: 'queue'; chatId: string; position: number; waitMinutes: number | null }
  | { type: 'typing'; chatId: string; who: 'resident' | 'agent' }
  | { type: 'status'; chatId: string; status: ChatStatus }
  | { type: 'offer'; chatId: string; residentName: string }
  | { type: 'accepted'; chatId: string; ok: boolean }
  | { type: 'queue-changed'; authorityId: string }
  | { type: 'availability'; available: boolean }
  | { type: 'error'; message: string };

type Listener = (frame: ServerFrame) => void;

export class ChatHub {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Frames of one chat (messages, status, typing, queue). */
  onChat(chatId: string, listener: Listener): () => void {
    return this.on(`chat:${chatId}`, listener);
  }

  /** Frames for one agent (offers, and the chats they hold once subscribed to them). */
  onStaff(staffId: string, listener: Listener): () => void {
    return this.on(`staff:${staffId}`, listener);
  }

  /** The council's queue changed (for the staff list). */
  onAuthority(authorityId: string, listener: Listener): () => void {
    return this.on(`authority:${authorityId}`, listener);
  }

  toChat(chatId: string, frame: ServerFrame): void {
    this.emitter.emit(`chat:${chatId}`, frame);
  }

  toStaff(staffId: string, frame: ServerFrame): void {
    this.emitter.emit(`staff:${staffId}`, frame);
  }

  toAuthority(authorityId: string, frame: ServerFrame): void {
    this.emitter.emit(`authority:${authorityId}`, frame);
  }

  private on(channel: string, listener: Listener): () => void {
    this.emitter.on(channel, listener);
    return () => this.emitter.off(channel, listener);
  }
}
