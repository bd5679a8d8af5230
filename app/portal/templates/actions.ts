"use server";

import { revalidatePath } from "next/cache";
import { runFormAction } from "@/app/_server/form";
import { createTemplate, deleteTemplate, updateTemplate } from "@/lib/alerts/templates";

const done = () => revalidatePath("/portal/templates");

export async function createTemplateAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      channel: f.text("channel"),
      thresholdRuleId: f.nullable("thresholdRuleId"),
      subject: f.optional("subject"),
      body: f.text("body") ?? "",
    }),
    verb: createTemplate,
    result: (t) => ({ id: t.id }),
    message: "Template saved.",
  });
  done();
  return r;
}

export async function updateTemplateAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      id: f.text("id"),
      subject: f.optional("subject"),
      body: f.text("body") ?? "",
    }),
    verb: updateTemplate,
    result: (t) => ({ id: t.id }),
    message: "Template saved.",
  });
  done();
  return r;
}

export async function deleteTemplateAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id") }),
    verb: deleteTemplate,
    result: () => null,
    message: "Template deleted.",
  });
  done();
  return r;
}
