/** `get_msg`'s answer from a stored message: the one shape for history and the gateway. */
import { formatMessage, type MessageFormat, messageCode, messageIdV2 } from '@cqfleet/onebot';
import type { StoredMessage } from './reader.js';

/**
 * `get_msg`'s shape (reference §1.4): no raw_message; real_id = message_seq = QQ seq.
 * `askedId` is the id the caller asked by: two upstream accounts in one group may know one
 * stored message by ids of their own, and each gets its own back.
 */
export function getMsgShape(m: StoredMessage, format: MessageFormat, askedId = m.message_id) {
  const isGroup = m.message_type === 'group';
  const code = messageCode(m.message_type, isGroup ? m.group_id : undefined, m.user_id);
  return {
    message_id: askedId,
    message_id_v2: messageIdV2(code, m.message_seq),
    message_type: m.message_type,
    real_id: m.message_seq,
    message_seq: m.message_seq,
    group: isGroup,
    ...(isGroup ? { group_id: m.group_id } : {}),
    sender: { user_id: m.sender.user_id, nickname: m.sender.nickname },
    time: m.time,
    message: formatMessage(m.message, format),
  };
}
