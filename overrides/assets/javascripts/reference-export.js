// Reference downloads: a "BibTeX" or "RIS" link beside a reference saves that one entry, taken
// from the site's whole bibliography in that format (cite/references.bib or .ris), as
// <key>.bib or <key>.ris. Without this script the link saves the whole bibliography.
(() => {
  const files = new Map();

  const load = (url) => {
    if (!files.has(url)) files.set(url, fetch(url).then((response) => response.text()));
    return files.get(url);
  };

  // One entry of a BibTeX file ("@type{key, ...}") or of a RIS file (a record with "ID  - key").
  function entryOf(text, key, ris) {
    if (ris) {
      return text.split(/^ER {2}- *$/m).map((record) => record.trim())
        .find((record) => record.split("\n").some((line) => line.trim() === `ID  - ${key}`))
        ?.concat("\nER  - \n");
    }
    const opening = new RegExp(`^@\\w+\\{${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")},`);
    return text.split(/\n(?=@)/).find((entry) => opening.test(entry.trim()))?.trim().concat("\n");
  }

  document.addEventListener("click", async (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.reference-export[data-key]") : null;
    if (!link) return;
    event.preventDefault();
    const ris = link.pathname.endsWith(".ris");
    const entry = entryOf(await load(link.href), link.dataset.key, ris);
    if (!entry) {
      window.location.href = link.href;
      return;
    }
    const type = ris ? "application/x-research-info-systems" : "application/x-bibtex";
    const url = URL.createObjectURL(new Blob([entry], { type: `${type};charset=utf-8` }));
    const save = Object.assign(document.createElement("a"), { href: url, download: link.getAttribute("download") });
    document.body.append(save);
    save.click();
    save.remove();
    URL.revokeObjectURL(url);
  });
})();
