import type { TalkMessage } from '@ringside/protocol';
import type { NewTalkMessage } from './messages.js';

/**
 * A message just stored, as TalkStore.insert returns it: the new message under its `id`, with
 * the writer's display name, unread. One mapping for the PostgreSQL store and the tests' stores.
 */
export function storedTalkMessage(m: NewTalkMessage, id: string, fromName: string): TalkMessage {
  return {
    id,
    fromUserId: m.senderId,
    fromName,
    fromRole: m.senderRole,
    to: m.to,
    agentId: m.threadAgentId,
    text: m.text,
    sentAtMs: m.sentAtMs,
    readAtMs: null,
  };
}
