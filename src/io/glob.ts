/**
 * A small glob for dataset manifests: `*` and `?` within one path segment,
 * `**` across segments, `{a,b}` alternatives, `[0-9]` classes. Paths use '/'
 * separators.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) throw new SyntaxError(`unclosed { in glob ${glob}`);
      re +=
        '(?:' +
        glob
          .slice(i + 1, end)
          .split(',')
          .map(escapeRe)
          .join('|') +
        ')';
      i = end;
    } else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) throw new SyntaxError(`unclosed [ in glob ${glob}`);
      const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
      re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(s: string): string {
  return s.replace(/[.+^$()|[\]\\]/g, '\\$&');
}
