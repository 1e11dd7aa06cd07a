// The evidence table: each column heading becomes a button that sorts the rows by that column,
// ascending then descending (aria-sort tells screen readers), and each cell learns its column's
// name, so that on a phone every row can show as a card of "Design: …" lines (evidence-table.css).
// Only here, where the headings have become buttons, does the page say that they sort.
(() => {
  const MISSING = /^[—–-]?$/; // "—": not reported, or does not apply
  const WEEKS = { week: 1, month: 52 / 12, year: 52 };

  // What a cell sorts by, by the kind of column it is in.
  const keys = {
    // "6,359" -> 6359
    number: (text) => Number(text.replace(/,/g, "")),
    // "8 weeks; 6 months" -> 26 (weeks): a study runs as long as its longest follow-up.
    length: (text) => Math.max(...[...text.matchAll(/(\d+)\s*(week|month|year)s?\b/g)].map(([, n, unit]) => n * WEEKS[unit])),
    // "(Sherman 2009a)" -> "Sherman 2009a"
    text: (text) => text.replace(/[()]/g, "").trim(),
  };

  // A column of numbers, of lengths of time (most cells give one), or else of words.
  function kindOf(texts) {
    const given = texts.filter((text) => !MISSING.test(text));
    if (given.every((text) => /^\d[\d,]*(\.\d+)?$/.test(text))) return "number";
    if (given.filter((text) => Number.isFinite(keys.length(text))).length > given.length / 2) return "length";
    return "text";
  }

  function sortBy(table, column, button) {
    const heading = button.closest("th");
    const ascending = heading.getAttribute("aria-sort") !== "ascending";
    for (const th of table.tHead.rows[0].cells) th.removeAttribute("aria-sort");
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    const rows = [...body.rows];
    const text = (row) => row.cells[column].textContent.trim();
    const kind = kindOf(rows.map(text));
    const order = (x, y) => kind === "text" ? keys.text(x).localeCompare(keys.text(y), "en-GB", { numeric: true }) : keys[kind](x) - keys[kind](y);
    // Studies that did not report it ("—"), or said too little to place ("Short term"), come
    // last, whichever the direction.
    const unplaced = (text) => MISSING.test(text) || (kind !== "text" && !Number.isFinite(keys[kind](text)));
    rows.sort((a, b) => {
      const [x, y] = [text(a), text(b)];
      if (unplaced(x) || unplaced(y)) return unplaced(x) - unplaced(y) || MISSING.test(x) - MISSING.test(y);
      return ascending ? order(x, y) : order(y, x);
    });
    body.append(...rows);
    // Said aloud: re-sorting changes nothing under the focus, so a screen reader heard nothing.
    const status = table.closest(".evidence-table").querySelector(".evidence-table__status");
    if (status) status.textContent = `Sorted by ${button.textContent.trim()}, ${ascending ? "ascending" : "descending"}.`;
  }

  function enhance(table) {
    if (table.dataset.sortable || !table.tHead) return;
    table.dataset.sortable = "true";
    const names = [...table.tHead.rows[0].cells].map((th) => th.textContent.trim());
    for (const row of table.tBodies[0].rows) {
      [...row.cells].forEach((cell, column) => cell.setAttribute("data-label", names[column]));
    }
    [...table.tHead.rows[0].cells].forEach((th, column) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.append(...th.childNodes);
      th.append(button);
      button.addEventListener("click", () => sortBy(table, column, button));
    });
    const hint = document.createElement("p");
    hint.className = "evidence-table__hint";
    hint.textContent = "Select a column heading to sort the table by it.";
    const status = document.createElement("p");
    status.className = "evidence-table__status visually-hidden";
    status.setAttribute("role", "status");
    table.closest(".evidence-table").prepend(hint, status);
  }

  const run = () => document.querySelectorAll(".evidence-table table").forEach(enhance);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
