/**
 * Webchat (issue 16; see README.md and docs/webchat.md): the conversation core (chats, messages, queue,
 * agents, offers, transcript) and its realtime transport (WebSocket, with server-sent events and POST as
 * the fallback), plus the seams to the opening hours and the assistant (webchat.contracts.ts).
 */
export { registerWebchat, type WebchatDeps } from './webchat.register.ts';
export { createAssistant } from './webchat.assistant.ts';
export { chatCapacity, ChatCore, HEARTBEAT_LAPSE_MS } from './webchat.service.ts';
export { ChatHub, type ServerFrame } from './webchat.hub.ts';
export type * from './webchat.contracts.ts';
