// Text into HTML and SVG. Statements contain `<`, `&` and quotes; everything
// a report shows goes through here, in text and in attribute values alike.

/** Escapes the five characters that matter in text and quoted attributes; NUL becomes U+FFFD. */
export function esc(s: string): string {
  return s.replace(/[&<>"'\u0000]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&#39;';
      default:
        return '\uFFFD';
    }
  });
}

/** An id/anchor made of safe characters only, so it needs no escaping in `href="#…"` or CSS. */
export function safeId(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return /^[A-Za-z]/.test(cleaned) ? cleaned : `x-${cleaned}`;
}

/** At most `max` characters, with an ellipsis when cut (the full text goes in a tooltip). */
export function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}
