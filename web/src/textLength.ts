// Long texts against the server's limits (description 4,000 characters, a command's note 2,000).
// The resident's fields take no maxlength: a browser cuts pasted text at maxlength without a
// word, so the fields keep all of it, show the count, and the form refuses the excess, saying so.

/** The length of a text as the server counts it: in characters (code points), not UTF-16 units. */
export function textLength(text: string): number {
  return [...text].length
}

/** How many characters text has beyond max; 0 when it fits. */
export function excess(text: string, max: number): number {
  return Math.max(0, textLength(text) - max)
}
