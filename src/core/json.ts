/**
 * JSON.parse keeps a "__proto__" key as an own property, but the first
 * plain assignment or Object.assign of it (sidecar inheritance, config
 * merging) sets the target's prototype, so a sidecar could supply any field,
 * such as RepetitionTime, invisibly. Files carrying that key are refused.
 */
export class ProtoKeyError extends Error {}

export function parseJsonNoProto(text: string): unknown {
  return JSON.parse(text, (k: string, v: unknown) => {
    if (k === '__proto__') throw new ProtoKeyError('has a "__proto__" key, which is not metadata');
    return v;
  });
}
