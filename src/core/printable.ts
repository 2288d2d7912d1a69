/**
 * Text from file names and headers reaches the terminal; a newline in it
 * would forge extra output lines and an escape sequence could rewrite the
 * screen. printable() shows control characters as escapes instead.
 */
export function printable(text: string): string {
  // C0 controls, DEL and C1 controls (the latter include the 8-bit CSI).
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
