/** What a test needs to exist before it can check it (a row, a thrown error, a map entry); its absence fails the test by name. */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}, found none`);
  return value;
}
