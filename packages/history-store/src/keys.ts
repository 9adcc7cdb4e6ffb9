/**
 * Names of the store's keys that its writer (store.ts, which has the layout), its pages
 * (history-pages.ts) and its retention (retention.ts) all use; `prefix` is `<ns>:h:`.
 */
export interface StoreKeys {
  /** Hash chat → its lowest bucket. */
  lowerBounds: string;
  /** Hash chat → the number of its buckets (chats written before there were counts: none). */
  bucketCounts: string;
  /** Sorted set bucket → newest time in it. */
  ages: string;
  /** The number of records in all buckets. */
  count: string;
  /** Prefix of a private chat's buckets (`<prefix>p:<self>:<peer>:<bucket>`). */
  privateChat(self: number, peer: number): string;
}

export function storeKeys(prefix: string): StoreKeys {
  return {
    lowerBounds: `${prefix}lo`,
    bucketCounts: `${prefix}nb`,
    ages: `${prefix}ages`,
    count: `${prefix}count`,
    privateChat: (self, peer) => `${prefix}p:${self}:${peer}:`,
  };
}
