/**
 * Downloader command templates such as `spotdl {query} --output {out}` or
 * `yt-dlp -x -o '{out}/%(title)s.%(ext)s' 'ytsearch1:{query}'`.
 *
 * The template is split into argv words with shell-like quoting (whitespace separates words;
 * '...' is literal; "..." is literal except \" \\ \$ \`; a backslash outside quotes escapes the
 * next character). Then `{name}` placeholders are replaced inside each word, so a substituted
 * value is always part of one argv entry, whatever it contains: no shell ever sees it.
 * Shell operators (| & ; < > ` $) outside quotes are refused, since there is no shell to run them.
 */
import { badParameter } from '../errors.js';

/**
 * Split a command template into words (placeholders left as they are).
 * @throws YasrError('BAD_PARAMETER') for unbalanced quotes, shell operators or an empty template
 */
export function splitCommandTemplate(template: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  const n = template.length;
  for (let i = 0; i < n; i++) {
    const c = template[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === "'") {
      const end = template.indexOf("'", i + 1);
      if (end < 0) throw badParameter('downloader command', template, "a closing ' quote");
      word += template.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let closed = false;
      for (i++; i < n; i++) {
        const d = template[i];
        if (d === '"') {
          closed = true;
          break;
        }
        if (d === '\\' && i + 1 < n && '"\\$`'.includes(template[i + 1])) {
          word += template[i + 1];
          i++;
        } else {
          word += d;
        }
      }
      if (!closed) throw badParameter('downloader command', template, 'a closing " quote');
    } else if (c === '\\') {
      if (i + 1 < n) {
        const next = template[i + 1];
        i++;
        if (next === '\n') continue; // line continuation
        word += next;
        inWord = true;
      } else {
        throw badParameter('downloader command', template, 'no trailing backslash');
      }
    } else if ('|&;<>`'.includes(c) || (c === '$' && /[({A-Za-z_]/.test(template[i + 1] ?? ''))) {
      throw badParameter(
        'downloader command',
        template,
        `a plain command: ${JSON.stringify(c)} is a shell operator and the command is run without a shell (quote it to pass it literally)`,
      );
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0) throw badParameter('downloader command', template, 'a command, e.g. "spotdl {query} --output {out}"');
  return words;
}

/**
 * Replace `{name}` placeholders in already-split words. Unknown `{...}` text is kept as is.
 * Replacement is single-pass: a value containing `{out}` is not substituted again.
 * @throws YasrError('BAD_PARAMETER') when a value would turn a word into an option (a word that
 *   did not start with '-' would start with '-' after substitution)
 */
export function substitutePlaceholders(words: string[], values: Record<string, string>): string[] {
  return words.map((w) => {
    const out = w.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) =>
      Object.prototype.hasOwnProperty.call(values, name) ? values[name] : m,
    );
    if (out.startsWith('-') && !w.startsWith('-')) {
      throw badParameter('downloader argument', out, 'a value that does not start with "-" (it would be read as an option)');
    }
    return out;
  });
}
