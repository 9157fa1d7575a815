/**
 * The seams between the webchat module's parts (issue 16), written first so the conversation core, the
 * opening hours and the assistant can be built side by side: the core calls the assistant and asks the
 * hours whether chat is open; the hours ask the core how much room the agents have.
 */

/** What the resident asked, and how the conversation has gone with the assistant so far. */
export interface AssistantTurnInput {
  /** The councils whose published public articles may be used (the front door's). */
  authorityIds: readonly string[];
  /** The resident's latest message, as typed. */
  question: string;
  /** How many of the assistant's answers in this chat the resident has said did not help. */
  unhelpfulSoFar: number;
  now: Date;
}

export type HandoverReason = 'asked_for_person' | 'no_good_match' | 'not_helped_twice';

/**
 * The assistant's reply: an answer quoted from one published public article (with its link, and the
 * article's version, so the transcript records exactly what was quoted), or a handover to a person with the
 * assistant's best guess of the service (the slug of a service linked to the best-matching article, if any).
 */
export type AssistantTurn =
  | {
      kind: 'answer';
      /** The message shown to the resident (an excerpt, "This answer comes from: <title>", asks if it helped). */
      text: string;
      article: { slug: string; title: string; version: number; url: string };
      suggestedServiceSlug: string | null;
    }
  | {
      kind: 'handover';
      reason: HandoverReason;
      /** The message shown to the resident ("I will pass you to a person…"). */
      text: string;
      suggestedServiceSlug: string | null;
    };

export interface ChatAssistant {
  reply(input: AssistantTurnInput): Promise<AssistantTurn>;
  /** True when a message asks for a person ("talk to a person", "human", "agent"…). */
  asksForPerson(text: string): boolean;
}

/** How much room the agents have for new chats right now (from the conversation core). */
export interface ChatCapacity {
  /** Agents signed in, available for chat and with a live heartbeat. */
  agentsAvailable: number;
  /** Free places: the sum over those agents of (concurrency limit − chats they hold). */
  freeSlots: number;
  /** Chats waiting for a person. */
  queued: number;
}

export type ChatUnavailableReason = 'closed' | 'full';

/** Whether a resident can start a chat now, from the opening hours and the capacity. */
export type ChatAvailability =
  | { available: true; closesAt: Date }
  | { available: false; reason: ChatUnavailableReason; nextOpening: Date | null };
