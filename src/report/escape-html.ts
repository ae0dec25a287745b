/**
 * The one HTML escaper of the HTML report and its SVG charts: every string that is not a literal of
 * the renderer (anything from a Result, a file name, a label) goes through it, in text and in quoted
 * attribute values alike, so a forged Result cannot open a tag, an attribute or a script.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
