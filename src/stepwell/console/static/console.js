// stepwell console: pan and zoom the graph, open a step's details, follow a running execution.
// No framework and no third-party code; the pages work without it (links and forms), this adds comfort.
"use strict";

function panZoom(container) {
  const svg = container.querySelector("svg");
  if (!svg || !svg.viewBox || !svg.viewBox.baseVal) return;
  const box = svg.viewBox.baseVal;
  let drag = null;
  container.addEventListener("wheel", (event) => {
    event.preventDefault();
    const scale = event.deltaY > 0 ? 1.15 : 1 / 1.15;
    const rect = svg.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width, fy = (event.clientY - rect.top) / rect.height;
    const w = box.width * scale, h = box.height * scale;
    box.x += (box.width - w) * fx; box.y += (box.height - h) * fy; box.width = w; box.height = h;
  }, { passive: false });
  container.addEventListener("pointerdown", (event) => {
    if (event.target.closest("g.state")) return;
    drag = { x: event.clientX, y: event.clientY };
    container.setPointerCapture(event.pointerId);
  });
  container.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const rect = svg.getBoundingClientRect();
    box.x -= (event.clientX - drag.x) * box.width / rect.width;
    box.y -= (event.clientY - drag.y) * box.height / rect.height;
    drag = { x: event.clientX, y: event.clientY };
  });
  container.addEventListener("pointerup", () => { drag = null; });
}

function selectState(page, stateId) {
  const panel = document.getElementById("panel");
  if (!panel || !stateId) return;
  document.querySelectorAll("g.state.selected").forEach((g) => g.classList.remove("selected"));
  const node = document.getElementById(stateId);
  if (node) node.classList.add("selected");
  const url = new URL(page.dataset.stepUrl, window.location.href);
  url.searchParams.set("state", stateId);
  if (page.dataset.iteration) url.searchParams.set("iteration", page.dataset.iteration);
  fetch(url, { headers: { Accept: "text/html" } })
    .then((response) => response.text())
    .then((html) => { panel.innerHTML = html; panel.dataset.state = stateId; panel.scrollIntoView({ block: "nearest" }); });
}

// Swap in the server-rendered parts of the page (each element of the fragment replaces the element
// with its id): what changes when the execution ends, drawn by the same templates as a reload.
function applyParts(page, html) {
  const fragment = document.createElement("template");
  fragment.innerHTML = html;
  for (const part of Array.from(fragment.content.children)) {
    const old = part.id ? document.getElementById(part.id) : null;
    if (!old) continue;
    old.replaceWith(part);
    bind(page, part);
  }
  const summary = document.getElementById("summary");
  if (summary && summary.dataset.status) page.dataset.status = summary.dataset.status;
}

function follow(page) {
  if (!page.dataset.stream || !window.EventSource) return;
  const source = new EventSource(page.dataset.stream);
  source.addEventListener("update", (message) => {
    const update = JSON.parse(message.data);
    for (const [id, status] of Object.entries(update.statuses || {})) {
      const node = document.getElementById(id);  // state groups carry their state id as element id
      if (node && node.classList.contains("state")) node.setAttribute("data-status", status);
    }
    const status = document.getElementById("execution-status");
    if (status && update.status) { status.textContent = update.status; status.className = "badge " + update.status.toLowerCase(); }
    const rows = document.querySelector("#events tbody[data-live='true']");
    if (rows && update.rows) rows.insertAdjacentHTML("beforeend", update.rows);
    if (update.transitions !== undefined) {
      const transitions = document.getElementById("transitions");
      if (transitions) transitions.textContent = update.transitions;
    }
  });
  source.addEventListener("end", () => {
    source.close();
    page.dataset.stream = "";
    // The stream's last word: the execution ended. Fetch the summary as the page's own query draws it.
    const url = new URL(page.dataset.summaryUrl, window.location.href);
    url.search = window.location.search;
    fetch(url, { headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(response.statusText))))
      .then((html) => applyParts(page, html))
      .catch(() => {})
      .finally(() => { page.dataset.ended = "true"; });
  });
}

// What the page's links and forms do with the script on, for the page or for a part swapped in.
function bind(page, root) {
  root.querySelectorAll("[data-select-state]").forEach((link) => link.addEventListener("click", (event) => {
    event.preventDefault();
    selectState(page, link.dataset.selectState);
  }));
  root.querySelectorAll("form[data-confirm]").forEach((form) => form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".graph").forEach(panZoom);
  const page = document.getElementById("execution");
  if (!page) return;
  document.querySelectorAll(".graph").forEach((graph) => graph.addEventListener("click", (event) => {
    const node = event.target.closest("g.state");
    if (node) selectState(page, node.id);
  }));
  bind(page, document);
  follow(page);
});
