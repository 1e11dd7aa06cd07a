// Citation previews: hovering, focusing or tapping an in-text citation shows its full reference
// (copied from the page's own reference list) next to it; Escape, moving away or tapping
// elsewhere closes it. Screen readers already hear the reference through aria-describedby.
(() => {
  const touch = window.matchMedia("(hover: none)");
  let preview = null;
  let owner = null;

  const citationLink = (node) => node instanceof Element ? node.closest("a.citation-link") : null;

  function show(link) {
    const entry = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!entry || owner === link) return;
    hide();
    preview = document.createElement("div");
    preview.className = "citation-preview";
    preview.setAttribute("role", "tooltip");
    const reference = entry.cloneNode(true);
    reference.querySelector(".reference-backlinks")?.remove();
    preview.innerHTML = reference.innerHTML;
    const jump = document.createElement("a");
    jump.href = link.hash;
    jump.className = "citation-preview__jump";
    jump.textContent = "Go to the reference list";
    preview.append(jump);
    document.body.append(preview);
    const box = link.getBoundingClientRect();
    const width = preview.offsetWidth;
    const left = Math.min(Math.max(8, box.left), document.documentElement.clientWidth - width - 8);
    preview.style.left = `${left + window.scrollX}px`;
    preview.style.top = `${box.bottom + window.scrollY + 6}px`;
    owner = link;
  }

  function hide() {
    preview?.remove();
    preview = null;
    owner = null;
  }

  document.addEventListener("mouseover", (event) => {
    const link = citationLink(event.target);
    if (link) show(link);
    else if (preview && !preview.contains(event.target)) hide();
  });
  document.addEventListener("focusin", (event) => {
    const link = citationLink(event.target);
    if (link) show(link);
    else if (preview && !preview.contains(event.target)) hide();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hide();
  });
  // A tap also hovers and focuses the link before its click, which opens the preview: what
  // counts is whether this citation's preview was already open when the finger came down.
  let openAtPress = null;
  document.addEventListener("pointerdown", () => {
    openAtPress = owner;
  });
  document.addEventListener("click", (event) => {
    const link = citationLink(event.target);
    const tap = event.pointerType === undefined ? touch.matches : ["touch", "pen"].includes(event.pointerType);
    // On a touch screen the first tap previews; a second tap on the same citation follows it.
    if (link && tap && openAtPress !== link) {
      event.preventDefault();
      show(link);
    } else if (!link && preview && !preview.contains(event.target)) {
      hide();
    }
  });
})();
