// Text placed in HTML or XML, as element content or a quoted attribute value: the five characters
// that could end either are written as references, valid in both languages.
const references: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeMarkup(value: string): string {
  return value.replace(/[&<>"']/g, (c) => references[c]!);
}
