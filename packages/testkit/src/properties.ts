export type PropertyValue = string | number | boolean;

/**
 * Java properties text, one `key=value` per line. Backslashes are escaped, and leading
 * blanks of a value are kept (Java would drop them), so any path or URL survives.
 */
export function formatProperties(
  properties: Record<string, PropertyValue>,
  header?: string,
): string {
  const lines = header ? header.split("\n").map((line) => `# ${line}`) : [];
  for (const [key, value] of Object.entries(properties)) {
    const text = String(value).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/^ /, "\\ ");
    lines.push(`${key}=${text}`);
  }
  return `${lines.join("\n")}\n`;
}
