// Names, labels and messages come from the repository, which anyone with a
// pull request writes. Renderers pass them through these functions so that
// they show as the text they are and never act on the terminal or the page.

import { visible } from '../../desired/visible-text.js';

export { visible };

/** What JSON.stringify leaves raw but a terminal may act on: DEL, C1 controls, format characters, line separators. */
const JSON_RAW = /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

/**
 * JSON text with those characters as `\uXXXX` escapes. They occur only inside
 * strings (JSON's own syntax is ASCII), so the text parses to the same value.
 */
export function jsonVisible(json: string): string {
  return json.replace(JSON_RAW, (c) =>
    [...Array(c.length).keys()].map((i) => `\\u${hex(c.charCodeAt(i), 4)}`).join(''),
  );
}

/**
 * What can open a link, image, autolink, emphasis, code span, heading closer,
 * table cell, entity or HTML tag. Our text never starts a line, so line-start
 * markers (`-`, `+`, `=`, `>` quotes) cannot act; `:` and `@` break autolinks.
 */
const MARKDOWN_SPECIAL = /[\\`*_[\]#!|<>&~:@]|(?<=www)\./gi;

/** `s` as literal Markdown text: safe inline, in a table cell and in an HTML block such as `<summary>`. */
export function markdownText(s: string): string {
  return visible(s).replace(MARKDOWN_SPECIAL, (c) => `&#${c.charCodeAt(0)};`);
}

/** `s` in a `<code>` element: monospace like a code span, but escaped as text, so no backtick or pipe can end it. */
export function markdownCode(s: string): string {
  return `<code>${markdownText(s)}</code>`;
}

/**
 * A fenced code block whose fence is longer than any run of backticks in its
 * lines, so no line can close it (CommonMark closes a fence only with one at
 * least as long). Each line is made visible, so none can break into two.
 */
export function fencedBlock(info: string, lines: readonly string[]): string[] {
  const body = lines.map(visible);
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return [`${fence}${info}`, ...body, fence];
}

function longestRun(lines: readonly string[], ch: string): number {
  let longest = 0;
  for (const line of lines) {
    let run = 0;
    for (const c of line) {
      run = c === ch ? run + 1 : 0;
      if (run > longest) longest = run;
    }
  }
  return longest;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
