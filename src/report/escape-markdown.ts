// The one Markdown escaper of the pull request comment and the job summary. Every value that is not
// a literal of the renderer (anything from a Result or a stack file: names, warnings, notes, the
// commit, labels, CPU lists) goes through it; numbers are formatted by the code (report/format.ts),
// never taken as text from a file.

/**
 * A zero-width space, written as an entity. GitHub links a mention (`@user`, `@org/team`), an email
 * address, an issue reference (`#12`, `owner/repo#12`, `GH-12`) and a bare URL (`http://`,
 * `https://`, `www.`) only when those characters are adjacent; one invisible character between them
 * leaves the text as it reads and makes it inert. This is what Renovate does in the pull requests it
 * writes on GitHub (renovatebot/renovate, lib/util/markdown.ts: `@&#8203;`, `#&#8203;`). Backslash
 * escapes are not relied on for these: GitHub does not document whether its mention and reference
 * linking honours them, while the zero-width space is in daily use. The entity (not the raw
 * character) keeps the break visible in the Markdown source and survives any later normalising.
 */
const ZWSP = "&#8203;";

/** Characters with a meaning in inline Markdown (GFM): a backslash makes each literal. */
const PUNCTUATION = /[\\`*_[\]|~$]/;

/**
 * Escapes text for Markdown and inline HTML, so that nothing a Result, a stack file or a log says
 * can change the comment's structure, link anywhere, or notify anyone:
 * - line breaks (`\n`, a lone `\r`) and other control characters become one space: no new block,
 *   heading, list or table row can start;
 * - `<`, `>`, `&` become entities: no HTML tag, comment or entity of the file's own;
 * - emphasis, code, link, table, strike-through and math characters get a backslash;
 * - `@`, `#`, `GH-`, `://` and `www.` get a zero-width space (see ZWSP);
 * - a leading `-`, `+`, `=` or `1.` gets a backslash, in case the text starts a line.
 */
export function escapeText(text: string): string {
  const one = String(text)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes.
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ")
    .replace(/\b(GH)-(?=\d)/gi, "$1\u200b-")
    .replace(/\b(www)\./gi, "$1\u200b.");
  let out = "";
  for (let i = 0; i < one.length; i++) {
    const c = one[i] as string;
    if (c === "<") out += "&lt;";
    else if (c === ">") out += "&gt;";
    else if (c === "&") out += "&amp;";
    else if (c === "\u200b") out += ZWSP;
    else if (c === "@" || c === "#") out += `${c}${ZWSP}`;
    else if (c === ":" && one.startsWith("//", i + 1)) out += `:${ZWSP}`;
    else if (PUNCTUATION.test(c)) out += `\\${c}`;
    else out += c;
  }
  return out.replace(/^([-+=])/, "\\$1").replace(/^(\d+)([.)])/, "$1\\$2");
}

/** Text in a code span when it is plain (a hash, a sha); otherwise escaped text, since a code span cannot escape a backtick. */
export function codeOrText(text: string): string {
  return /^[A-Za-z0-9._:-]{1,64}$/.test(text) ? `\`${text}\`` : escapeText(text);
}
