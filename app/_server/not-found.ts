import "server-only";
import { notFound } from "next/navigation";
import { NotFoundError } from "@/lib/errors";

/** For pages: a verb's NotFoundError (including another tenant's id) renders the 404 page. */
export async function orNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof NotFoundError) notFound();
    throw e;
  }
}
