// Cutting text to a receiver's limit without splitting a UTF-16 surrogate pair.

/** `text`, at most `max` UTF-16 units, ending in … when cut. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
