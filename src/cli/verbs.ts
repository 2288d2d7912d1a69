/** Every verb brainalign offers. A verb is listed here only once it works. */
import type { Verb } from './framework.js';
import cache from './cache.js';
import data from './data.js';

export const verbs: Verb[] = [cache, data];
