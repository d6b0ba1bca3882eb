/**
 * Small text checks shared by the manifest reader and the downloader runner: cleaning free text
 * (titles, artists) without altering it, and spotting names that would escape a folder when a
 * tool uses them as file names.
 */

/** C0 and C1 control characters other than the whitespace ones handled separately. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
// eslint-disable-next-line no-control-regex
const LINE_BREAKS_TABS = /[\t\n\r]+/g;

/**
 * Clean one free-text value: line breaks and tabs become a single space, other control
 * characters are removed, surrounding whitespace is trimmed. Everything else (quotes, SQL,
 * emoji, any script) is kept verbatim.
 * @returns the cleaned text, or undefined when nothing is left
 */
export function cleanText(value: string): string | undefined {
  const s = value.replace(LINE_BREAKS_TABS, ' ').replace(CONTROL, '').trim();
  return s.length > 0 ? s : undefined;
}

/**
 * Would `name`, used as a file name (or a path relative to a folder), reach outside that
 * folder? True for absolute paths (`/x`, `\x`, `C:\x`, `\\server\x`), any `..` segment (either
 * separator; also `...` and space-padded dots, which Windows reduces to `..`), a home
 * reference (`~/x`, `~user/x`) at the start, and NUL characters.
 * `AC/DC - Highway to Hell` is not traversal (it stays inside the folder).
 */
export function isPathTraversal(name: string): boolean {
  if (name.includes('\u0000')) return true;
  if (/^[/\\]/.test(name)) return true;
  if (/^[A-Za-z]:([/\\]|$)/.test(name)) return true;
  if (/^~[^/\\\s]*([/\\]|$)/.test(name)) return true;
  // '..' (and '...', ' .. ': Windows drops trailing dots and spaces) as a whole segment.
  return name.split(/[/\\]/).some((seg) => /^\s*\.{2,}\s*$/.test(seg));
}
