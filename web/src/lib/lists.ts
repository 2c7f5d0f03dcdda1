/** "north, east" → ['north', 'east']; blank → null (every region), as the admin forms send regions. */
export function parseList(text: string): string[] | null {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return items.length === 0 ? null : [...new Set(items)];
}

export function formatList(items: readonly string[] | null, all: string): string {
  return items === null || items.length === 0 ? all : items.join(', ');
}
