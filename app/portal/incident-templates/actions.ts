"use server";

import { revalidatePath } from "next/cache";
import { runFormAction, type FormFields } from "@/app/_server/form";
import { cellsFromForm } from "@/app/portal/incidents/form-input";
import {
  createIncidentTemplate,
  deleteIncidentTemplate,
  updateIncidentTemplate,
} from "@/lib/incidents/templates";

// Every verb checks incident_templates:manage and takes the organization from the session.

const done = <T>(r: T) => {
  revalidatePath("/portal/incident-templates");
  revalidatePath("/portal/incidents");
  return r;
};
const fields = (f: FormFields) => ({
  name: f.text("name"),
  title: f.text("title"),
  body: f.text("body"),
  category: f.text("category"),
  impact: f.text("impact"),
  cells: cellsFromForm(f.form),
});

export async function createIncidentTemplateAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: fields,
      verb: createIncidentTemplate,
      message: "Template added.",
    }),
  );
}

export async function updateIncidentTemplateAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: (f) => ({ templateId: f.text("templateId"), ...fields(f) }),
      verb: updateIncidentTemplate,
      message: "Template saved.",
    }),
  );
}

export async function deleteIncidentTemplateAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: (f) => ({ templateId: f.text("id") }),
      verb: deleteIncidentTemplate,
      message: "Template deleted.",
    }),
  );
}
