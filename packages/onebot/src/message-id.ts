/**
 * The message-id scheme (reference §4.5), used everywhere an id appears: events, `get_msg`,
 * `delete_msg`, `reply` segments, recall and essence notices, forward `node{id}`.
 *
 * `message_id = int32(CRC32-IEEE("<code>-<seq>"))` where `code` is the group number for group
 * messages and the sender's uin for private messages. It may be negative.
 */

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

const encoder = new TextEncoder();

/** CRC32 (IEEE) as an unsigned 32-bit number. */
export function crc32(input: string | Uint8Array): number {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  let crc = -1;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** go-cqhttp's `message_id` for a message with sequence `seq` in chat `code`. */
export function messageId(code: number, seq: number): number {
  return crc32(`${code}-${seq}`) | 0;
}

/** `message_id_v2` (only in `get_msg`): hex of `code` as u64 BE followed by `seq` as u32 BE. */
export function messageIdV2(code: number, seq: number): string {
  return (
    BigInt.asUintN(64, BigInt(code)).toString(16).padStart(16, '0') +
    (seq >>> 0).toString(16).padStart(8, '0')
  );
}

/** The chat code that a message id is computed from. */
export function messageCode(
  messageType: 'group' | 'private',
  groupId: number | undefined,
  senderId: number,
): number {
  return messageType === 'group' ? (groupId ?? 0) : senderId;
}
