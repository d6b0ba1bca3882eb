/** Escape text or an attribute value for XML and HTML (&, <, >, " and '). */
export function escapeMarkup(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}
