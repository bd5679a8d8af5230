import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { regionLabel } from "@/lib/labels";
import { PageHeader, PublicPageLink } from "./card";

describe("the console's words", () => {
  it("links the incident's public page", () => {
    const html = renderToStaticMarkup(
      createElement(PageHeader, {
        title: "Calls failing",
        description: createElement(PublicPageLink, { path: "/incidents/abc" }),
      }),
    );
    expect(html).toMatch(/Public page: <a [^>]*href="\/incidents\/abc"[^>]*>\/incidents\/abc<\/a>/);
  });

  it("names a region by its code and its city, as the public page does", () => {
    expect(regionLabel({ code: "DEL", name: "Delhi" })).toBe("DEL · Delhi");
  });
});
