/** `.get_word_slices`: Chinese word segmentation with jieba (@node-rs/jieba, dictionary built in). */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

let jieba: Jieba | undefined;

/** Words of `content`; whitespace tokens are dropped (jieba keeps them). */
export function wordSlices(content: string): string[] {
  jieba ??= Jieba.withDict(dict);
  return jieba.cut(content, true).filter(token => token.trim() !== '');
}
