import { sql, type SQL } from "drizzle-orm";

/**
 * Part slicing. A small job is planned in one statement; a large one is split into parts of about
 * PART_ROWS rows, each committed on its own so sending starts while the rest is planned.
 */

/** Rows per part of a large fan-out: big enough to keep statements few, small enough to start sending soon. */
export const PART_ROWS = 1000;
const MAX_PARTS = 16;

/** One part of a fan-out: the rows whose part key falls in the `index`-th of `of` slices. */
export interface PlanPart {
  index: number;
  of: number;
}

/** The whole fan-out in one part (a small job, or the explainer's dry run). */
export const WHOLE: PlanPart = { index: 0, of: 1 };

/**
 * Choosing one part's rows. Each part is its own statement and sees the data as it is when that
 * part runs, so a part key must never change while a job is planned, and must keep every row of
 * one de-duplication group in one part (so the choice between two rows for one destination,
 * pending over held over suppressed, is made within a part). Members and extra recipients are
 * therefore split by organization (an address can change mid-plan, an org cannot), endpoints by
 * their id, and public subscribers by their key (a subscription's address is fixed).
 *
 * The first parts are smaller, so sending starts soon and the sender is not left waiting while the
 * next, larger part is planned: in slots, the parts weigh 1, 2, 3 and then 4 each.
 */
const slotsBefore = (index: number) =>
  index <= 3 ? (index * (index + 1)) / 2 : 6 + 4 * (index - 3);
const partSlots = (part: PlanPart) => slotsBefore(part.of);

/**
 * Ids are random uuids, so a part is a slice of the uuid space: a range an index reads directly,
 * and each part costs its own rows rather than a pass over all of them.
 */
export function inIdRange(col: SQL, part: PlanPart) {
  if (part.of === 1) return sql`true`;
  const bound = (index: number) =>
    `${Math.floor((slotsBefore(index) * 0x1_0000_0000) / partSlots(part))
      .toString(16)
      .padStart(8, "0")}-0000-0000-0000-000000000000`;
  const from = sql`${col} >= ${bound(part.index)}::uuid`;
  return part.index === part.of - 1
    ? from
    : sql`${from} and ${col} < ${bound(part.index + 1)}::uuid`;
}

/** The same for a text key (a public subscriber's), by hash. */
export function inKeyHash(key: SQL, part: PlanPart) {
  if (part.of === 1) return sql`true`;
  const slot = sql`(hashtext(${key}) & 2147483647) % ${partSlots(part)}::int`;
  return sql`${slot} >= ${slotsBefore(part.index)}::int and ${slot} < ${slotsBefore(part.index + 1)}::int`;
}

/** How many parts a fan-out of about `estimate` rows is planned in. */
export function partCount(estimate: number, partRows: number): number {
  return Math.max(1, Math.min(MAX_PARTS, Math.ceil(estimate / partRows)));
}
