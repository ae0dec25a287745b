// Text a forged Result might carry to take over the bot's comment (issue 26).

/** The example: Markdown that would post a heading, a mention and a link under the bot. */
export const PAYLOAD = "0\n\n## Approved by @octocat [merge now](https://evil.example/x)";

/** Mentions, references, bare URLs, a lone \r and HTML, as a name or a warning might hold them. */
export const LIVE =
  "@octocat @org/team #123 GH-7 owner/repo#9 https://evil.example/a www.evil.example a@b.io\r## H <img src=x onerror=y()> [go](https://evil.example/b)";
