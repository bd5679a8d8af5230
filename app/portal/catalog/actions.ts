"use server";

import { revalidatePath } from "next/cache";
import { runFormAction, type FormFields } from "@/app/_server/form";
import {
  createComponent,
  createGroup,
  createRegion,
  deleteGroup,
  moveComponent,
  moveGroup,
  moveRegion,
  removeComponent,
  removeRegion,
  setCells,
  updateComponent,
  updateGroup,
  updateRegion,
} from "@/lib/catalog/manage";

// Every verb checks components:manage and takes the organization from the session.

const done = <T>(r: T) => {
  revalidatePath("/portal/catalog");
  return r;
};
const move = (f: FormFields) => ({ id: f.text("id"), direction: f.text("direction") });
const componentFields = (f: FormFields) => ({
  name: f.text("name"),
  description: f.text("description"),
  groupId: f.nullable("groupId"),
  showcase: f.checked("showcase"),
  onlyShowIfDegraded: f.checked("onlyShowIfDegraded"),
});

export async function createGroupAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: (f) => ({ name: f.text("name") }),
      verb: createGroup,
      message: "Group added.",
    }),
  );
}

export async function updateGroupAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: (f) => ({ id: f.text("id"), name: f.text("name") }),
      verb: updateGroup,
      message: "Group saved.",
    }),
  );
}

export async function deleteGroupAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: (f) => ({ id: f.text("id") }),
      verb: deleteGroup,
      message: "Group deleted; its components are ungrouped.",
    }),
  );
}

export async function moveGroupAction(_prev: unknown, form: FormData) {
  return done(await runFormAction(form, { input: move, verb: moveGroup }));
}

export async function createComponentAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: componentFields,
      verb: createComponent,
      message: "Component added, in every region (change that below).",
    }),
  );
}

export async function updateComponentAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: (f) => ({ id: f.text("id"), ...componentFields(f) }),
      verb: updateComponent,
      message: "Component saved.",
    }),
  );
}

export async function moveComponentAction(_prev: unknown, form: FormData) {
  return done(await runFormAction(form, { input: move, verb: moveComponent }));
}

export async function removeComponentAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: (f) => ({ id: f.text("id") }),
      verb: removeComponent,
      message: "Component removed (archived if it had incident or maintenance history).",
    }),
  );
}

export async function createRegionAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: (f) => ({ code: f.text("code"), name: f.text("name") }),
      verb: createRegion,
      message: "Region added, with every component (change that below).",
    }),
  );
}

export async function updateRegionAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: (f) => ({ id: f.text("id"), code: f.text("code"), name: f.text("name") }),
      verb: updateRegion,
      message: "Region saved.",
    }),
  );
}

export async function moveRegionAction(_prev: unknown, form: FormData) {
  return done(await runFormAction(form, { input: move, verb: moveRegion }));
}

export async function removeRegionAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: (f) => ({ id: f.text("id") }),
      verb: removeRegion,
      message: "Region removed (archived if it had incident or maintenance history).",
    }),
  );
}

/**
 * The grid: a hidden `component` per row and a checkbox `cell` (`componentId:regionId`) per
 * region; for those rows exactly the ticked cells are real.
 */
export async function saveCellsAction(_prev: unknown, form: FormData) {
  return done(
    await runFormAction(form, {
      input: (f) => ({
        componentIds: f.list("component"),
        cells: f.list("cell").map((v) => {
          const [componentId, regionId] = v.split(":");
          return { componentId, regionId };
        }),
      }),
      verb: setCells,
      message: "Saved where each component runs.",
    }),
  );
}
