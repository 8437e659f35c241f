import type { TalkMessage } from '@ringside/protocol';

/**
 * A talk message for unit tests: supervisor "Sue" (user 1) to agent 7, unread, text `m<id>`,
 * sent at 1000 ms; `over` changes any field.
 */
export const talkMessageOf = (id: string, over: Partial<TalkMessage> = {}): TalkMessage =>
  ({
    id,
    fromUserId: '1',
    fromName: 'Sue',
    fromRole: 'supervisor',
    to: { kind: 'agent', agentId: '7' },
    agentId: '7',
    text: `m${id}`,
    sentAtMs: 1000,
    readAtMs: null,
    ...over,
  }) as TalkMessage;
