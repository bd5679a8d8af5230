import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { GRANTABLE_PERMISSIONS, PERMISSION_LABELS, permissionsFor } from "@/lib/auth/roles";
import { GrantsForm } from "./members";

const available = GRANTABLE_PERMISSIONS.map((p) => ({ value: p, label: PERMISSION_LABELS[p] }));
const render = (role: "org_admin" | "tech_devops", grants: string[] = []) =>
  renderToStaticMarkup(
    createElement(GrantsForm, {
      action: async () => ({ ok: true as const, data: null }),
      membershipId: "m1",
      grants,
      available,
      name: "Ana",
      inRole: available.map((p) => p.value).filter((p) => permissionsFor(role).has(p)),
      roleLabel: role === "org_admin" ? "Org Admin" : "Tech/DevOps",
    }),
  );

/** The checkboxes, attributes in any order. */
const boxes = (html: string) =>
  [...html.matchAll(/<input type="checkbox"([^>]*)\/>/g)].map((m) => m[1]!);

describe("a member's extra permissions", () => {
  it("show a permission the role includes as ticked (org admins manage alerts)", () => {
    const html = render("org_admin");
    const [box] = boxes(html);
    expect(box).toContain('checked=""');
    expect(box).toContain('disabled=""');
    expect(html).toContain("Manage Alerts &amp; Notifications");
    expect(html).toContain("(included in Org Admin)");
  });

  it("leave a grantable permission the role lacks to the checkbox: unticked, or ticked when granted", () => {
    expect(render("tech_devops")).not.toContain("checked");
    expect(render("tech_devops")).not.toContain("included in");
    const [granted] = boxes(render("tech_devops", ["alerts:manage"]));
    expect(granted).toContain('name="grants"');
    expect(granted).toContain('value="alerts:manage"');
    expect(granted).toContain('checked=""');
    expect(granted).not.toContain("disabled");
  });
});
