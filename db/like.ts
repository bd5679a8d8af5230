import { ilike, type Column, type SQL } from "drizzle-orm";

/** Case-insensitive "contains" for a search box: `%`, `_` and `\` in the text match themselves. */
export function containsText(column: Column | SQL, text: string): SQL {
  return ilike(column, `%${text.replace(/[%_\\]/g, "\\$&")}%`);
}
