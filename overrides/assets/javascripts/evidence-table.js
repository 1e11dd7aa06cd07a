// The evidence table: each column heading becomes a button that sorts the rows by that column,
// ascending then descending (aria-sort tells screen readers), and each cell learns its column's
// name, so that on a phone every row can show as a card of "Design: …" lines (evidence.css).
(() => {
  const number = (text) => {
    const match = text.replace(/,/g, "").match(/\d+(\.\d+)?/);
    return match ? parseFloat(match[0]) : Number.NaN;
  };

  function sortBy(table, column, button) {
    const heading = button.closest("th");
    const ascending = heading.getAttribute("aria-sort") !== "ascending";
    for (const th of table.tHead.rows[0].cells) th.removeAttribute("aria-sort");
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    const rows = [...body.rows];
    const key = (row) => row.cells[column].textContent.trim();
    const numeric = rows.every((row) => !Number.isNaN(number(key(row))) || /^—?$/.test(key(row)));
    rows.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      const order = numeric ? (number(x) || 0) - (number(y) || 0) : x.localeCompare(y, "en-GB");
      return ascending ? order : -order;
    });
    body.append(...rows);
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
  }

  const run = () => document.querySelectorAll(".evidence-table table").forEach(enhance);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
