// Citation previews: hovering, focusing or tapping an in-text citation shows its full reference
// (copied from the page's own reference list) next to it, below the citation or, where the
// screen has no room below, above it. The pointer can travel from the citation into the preview
// (to use its links): leaving both closes it after a moment. Escape, tapping elsewhere or
// following the citation closes it. The preview follows its citation in the page, so Tab reaches
// its links. Screen readers already hear the reference through aria-describedby.
(() => {
  const touch = window.matchMedia("(hover: none)");
  const GAP = 6; // px between the citation and its preview
  const MARGIN = 8; // px kept clear at the screen's edges
  const GRACE = 400; // ms the preview waits for a pointer on its way into it
  let preview = null;
  let owner = null;
  let closing = null;

  const citationLink = (node) => node instanceof Element ? node.closest("a.citation-link") : null;
  const insidePreview = (node) => preview !== null && node instanceof Node && preview.contains(node);

  function place(link) {
    const box = link.getBoundingClientRect();
    const header = document.querySelector(".md-header")?.getBoundingClientRect().bottom ?? 0;
    const viewport = document.documentElement.clientHeight;
    const below = viewport - box.bottom - GAP - MARGIN;
    const above = box.top - GAP - Math.max(header, 0) - MARGIN;
    preview.style.maxHeight = "";
    let height = preview.offsetHeight;
    const downwards = height <= below || below >= above;
    if (height > Math.max(below, above)) {
      // Taller than either side: it scrolls within the larger one.
      preview.style.maxHeight = `${Math.max(below, above)}px`;
      height = preview.offsetHeight;
    }
    const top = downwards ? box.bottom + GAP : box.top - GAP - height;
    const width = preview.offsetWidth;
    const left = Math.min(Math.max(MARGIN, box.left), document.documentElement.clientWidth - width - MARGIN);
    // The preview sits in the text, so it is placed from the box it is positioned in: the
    // document (whose corner has scrolled off by scrollX, scrollY) or a positioned ancestor.
    const container = preview.offsetParent ?? document.body;
    const inPage = container === document.body;
    const origin = inPage ? { left: -window.scrollX, top: -window.scrollY } : container.getBoundingClientRect();
    const inner = inPage ? { left: 0, top: 0 } : { left: container.scrollLeft - container.clientLeft, top: container.scrollTop - container.clientTop };
    preview.style.left = `${left - origin.left + inner.left}px`;
    preview.style.top = `${top - origin.top + inner.top}px`;
    preview.dataset.side = downwards ? "below" : "above";
  }

  function show(link) {
    clearTimeout(closing);
    const entry = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!entry || owner === link) return;
    hide();
    preview = document.createElement("div");
    preview.className = "citation-preview";
    const reference = entry.cloneNode(true);
    reference.querySelector(".reference-backlinks")?.remove();
    for (const element of reference.querySelectorAll("[id]")) element.removeAttribute("id");
    preview.innerHTML = reference.innerHTML;
    const jump = document.createElement("a");
    jump.href = link.hash;
    jump.className = "citation-preview__jump";
    jump.textContent = "Go to the reference list";
    preview.append(jump);
    // Right after the citation, so that Tab goes on from the citation into the preview's links
    // (DOI, PubMed, downloads) and from them to the rest of the text.
    link.after(preview);
    place(link);
    owner = link;
  }

  function hide() {
    clearTimeout(closing);
    preview?.remove();
    preview = null;
    owner = null;
  }

  function hideSoon() {
    clearTimeout(closing);
    closing = setTimeout(hide, GRACE);
  }

  // After following a link or going back, the page scrolls under a pointer that has not moved:
  // the citation that lands under it is not one the reader pointed at.
  let pointer = null; // where the pointer was when the page last scrolled itself
  let still = false;
  document.addEventListener("mousemove", (event) => {
    const moved = !pointer || event.clientX !== pointer.x || event.clientY !== pointer.y;
    pointer = { x: event.clientX, y: event.clientY };
    if (still && moved) {
      still = false;
      const link = citationLink(event.target);
      if (link) show(link);
    }
  });
  const settle = () => {
    hide();
    still = true;
  };

  document.addEventListener("mouseover", (event) => {
    const link = citationLink(event.target);
    if (link && still) return;
    if (link) show(link);
    else if (insidePreview(event.target)) clearTimeout(closing);
    else if (preview) hideSoon();
  });
  let returning = false; // the focus is on its way back from a preview to its citation
  document.addEventListener("focusin", (event) => {
    if (returning) return;
    const link = citationLink(event.target);
    if (link) show(link);
    else if (preview && !insidePreview(event.target)) hide();
  });
  // A phone turned, or a window resized: the preview belongs where its citation was.
  window.addEventListener("resize", () => owner && place(owner));
  // Escape closes the preview; from inside it, the focus goes back to its citation.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !preview) return;
    const back = insidePreview(document.activeElement) ? owner : null;
    hide();
    returning = true;
    back?.focus();
    returning = false;
  });
  // Following a citation (or the preview's own link), going back, or returning to the page
  // from the browser's cache: the preview belonged to the moment before, so it goes.
  window.addEventListener("hashchange", settle);
  window.addEventListener("pageshow", settle);
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
    } else if (link) {
      hide();
    } else if (preview && !insidePreview(event.target)) {
      hide();
    } else if (insidePreview(event.target) && event.target.closest("a")) {
      hide();
    }
  });
})();
