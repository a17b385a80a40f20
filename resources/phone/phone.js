// The phone page: join, suggest ideas, see the map. Everything the host sends is put on
// the page as text (textContent), never as HTML, so "<script>" shows as typed.
"use strict";

const $ = (id) => document.getElementById(id);
let welcome = null;
let network = null;
let view = null; // the map shown: its factors and links
let mine = null; // this person's marks on it: {marks: {factor: {kind: value}}, votes_*}
let shownFactor = null;

async function call(method, path, body) {
  const options = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (err) {
    throw new Error("The facilitator's laptop cannot be reached. Check you are on the room's Wi-Fi.");
  }
  let data = null;
  try { data = await response.json(); } catch (err) { data = null; }
  if (!response.ok) {
    const error = new Error((data && data.error) || "Something went wrong: reload the page.");
    error.reason = data && data.reason;
    heardRefusal(error);
    throw error;
  }
  return data;
}

function show(element, text) {
  element.textContent = text;
  element.hidden = !text;
  // A message is read where it is: bring it into view (the button may be far below).
  if (text) element.scrollIntoView({ block: "nearest" });
}

function fillMaps(select, box) {
  select.replaceChildren();
  for (const m of welcome.maps) {
    const option = document.createElement("option");
    option.value = m.id;
    option.textContent = m.name;
    select.append(option);
  }
  box.hidden = welcome.maps.length < 2;
}

function drawJoin() {
  const groups = $("groups");
  groups.replaceChildren();
  for (const g of welcome.groups) {
    const label = document.createElement("label");
    label.className = "choice";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "group";
    input.value = g.id;
    label.append(input, " " + g.label);
    groups.append(label);
  }
  $("join").hidden = false;
  $("joined").hidden = true;
  $("nickname").focus();
}

function drawJoined() {
  $("join").hidden = true;
  $("joined").hidden = false;
  show($("whoami"), "You are: " + welcome.me.name + " (" + welcome.me.group + ")");
  applySwitches(welcome);
  fillMaps($("suggest-map"), $("map-choice"));
  fillMaps($("view-map"), $("map-choice-view"));
  if (!welcome.maps.length) {
    show($("suggest-error"), "No map is shared with phones yet: ask the facilitator.");
    $("suggest-button").disabled = true;
  }
  loadIdeas();
  loadLinkChoices();
}

async function loadLinkChoices() {
  const which = encodeURIComponent($("suggest-map").value || "");
  let answer;
  try { answer = await call("GET", "api/map?map=" + which); } catch (err) { return; }
  const factors = [...answer.factors].sort((a, b) => a.label.localeCompare(b.label));
  for (const select of [$("link-source"), $("link-target")]) {
    select.replaceChildren();
    const none = document.createElement("option");
    none.value = "";
    none.textContent = "Choose a factor";
    select.append(none);
    for (const f of factors) {
      const option = document.createElement("option");
      option.value = f.id;
      option.textContent = f.label;
      select.append(option);
    }
  }
  $("link-form").hidden = factors.length < 2;
}

async function suggestLink(event) {
  event.preventDefault();
  show($("link-error"), "");
  show($("link-done"), "");
  const source = $("link-source").value;
  const target = $("link-target").value;
  if (!source || !target) return show($("link-error"), "Please choose both factors.");
  if (source === target) return show($("link-error"), "Please choose two different factors.");
  const polarity = document.querySelector("input[name=polarity]:checked").value;
  $("link-button").disabled = true;
  try {
    const answer = await call("POST", "api/ideas", {
      map: $("suggest-map").value || null, kind: "link", source, target, polarity,
      why: $("link-why").value,
    });
    $("link-why").value = "";
    show($("link-done"), "Thank you: your link was sent to the facilitator.");
    drawIdeas(answer.ideas);
  } catch (err) {
    show($("link-error"), err.message);
  } finally {
    $("link-button").disabled = false;
  }
}

// Ideas still waiting for the facilitator: while there are some, the list is asked for
// again now and then, so "waiting" becomes "on the map" without a reload.
let ideasWaiting = 0;
const IDEAS_POLL_MS = 9000;

function drawIdeas(ideas) {
  ideasWaiting = ideas.filter((idea) => idea.status === "open").length;
  const list = $("my-ideas");
  list.replaceChildren();
  const words = { open: "waiting for the facilitator", placed: "on the map", dismissed: "set aside" };
  for (const idea of ideas) {
    const item = document.createElement("li");
    item.textContent = idea.label;
    const status = document.createElement("span");
    status.className = "status";
    status.textContent = " (" + (words[idea.status] || idea.status) + ")";
    item.append(status);
    list.append(item);
  }
}

async function loadIdeas() {
  try { drawIdeas((await call("GET", "api/ideas")).ideas); } catch (err) { /* shown on send */ }
}

async function join(event) {
  event.preventDefault();
  const nickname = $("nickname").value.trim();
  const group = document.querySelector("input[name=group]:checked");
  const consent = document.querySelector("input[name=consent]:checked");
  if (!nickname) return show($("join-error"), "Please type a first name or a nickname.");
  if (!group) return show($("join-error"), "Please choose your group.");
  if (!consent) return show($("join-error"), "Please say whether your name may be shown.");
  show($("join-error"), "");
  $("join-button").disabled = true;
  try {
    welcome = await call("POST", "api/join", {
      nickname, group: group.value, consent: consent.value === "yes",
    });
    drawJoined();
  } catch (err) {
    show($("join-error"), err.message);
  } finally {
    $("join-button").disabled = false;
  }
}

async function suggest(event) {
  event.preventDefault();
  show($("suggest-error"), "");
  show($("suggest-done"), "");
  const label = $("label").value;
  if (!label.trim()) return show($("suggest-error"), "Please type your idea first.");
  $("suggest-button").disabled = true;
  try {
    const answer = await call("POST", "api/ideas", {
      map: $("suggest-map").value || null, label, note: $("note").value,
    });
    $("label").value = "";
    $("note").value = "";
    show($("suggest-done"), "Thank you: your idea was sent to the facilitator.");
    drawIdeas(answer.ideas);
  } catch (err) {
    show($("suggest-error"), err.message);
  } finally {
    $("suggest-button").disabled = false;
  }
}

function showTab(name) {
  $("suggest").hidden = name !== "suggest";
  $("map-view").hidden = name !== "map";
  $("tab-suggest").setAttribute("aria-pressed", String(name === "suggest"));
  $("tab-map").setAttribute("aria-pressed", String(name === "map"));
  if (name === "map") loadMap(false);
}

function yoursText(marks) {
  if (!marks) return "";
  const words = welcome.flags.filter((f) => marks[f.kind]).map((f) => f.kind);
  if (marks.votes) words.push(marks.votes + (marks.votes === 1 ? " vote" : " votes"));
  return words.length ? "Yours: " + words.join(", ") : "";
}

function drawFactorList() {
  const list = $("factor-list");
  list.replaceChildren();
  for (const f of view.factors) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "factor";
    button.textContent = f.label;
    const yours = yoursText(mine.marks[f.id]);
    if (yours) {
      const span = document.createElement("span");
      span.className = "yours";
      span.textContent = yours;
      button.append(span);
    }
    button.addEventListener("click", () => showFactor(f));
    item.append(button);
    list.append(item);
  }
}

function drawMarks() {
  const marks = (shownFactor && mine.marks[shownFactor.id]) || {};
  const flags = $("mark-flags");
  flags.replaceChildren();
  for (const flag of welcome.flags) {
    const label = document.createElement("label");
    label.className = "choice";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = Boolean(marks[flag.kind]);
    box.addEventListener("change", () => setMark(flag.kind, box.checked ? 1 : 0));
    label.append(box, " " + flag.label);
    flags.append(label);
  }
  const here = marks.votes || 0;
  $("votes-here").textContent = String(here);
  $("vote-less").disabled = here === 0;
  const left = mine.votes_budget === null ? null : mine.votes_budget - mine.votes_used;
  $("vote-more").disabled = left !== null && left <= 0;
  $("votes-left").textContent = left === null
    ? "You have used " + mine.votes_used + " votes on this map."
    : "You have " + left + " of " + mine.votes_budget + " votes left on this map.";
}

async function setMark(kind, value) {
  show($("mark-error"), "");
  try {
    mine = await call("POST", "api/marks", {
      map: view.map.id, factor: shownFactor.id, kind, value,
    });
  } catch (err) {
    show($("mark-error"), err.message);
  }
  drawMarks();
  drawFactorList();
}

function changeVotes(step) {
  const here = (mine.marks[shownFactor.id] || {}).votes || 0;
  setMark("votes", Math.max(0, here + step));
}

function showFactor(factor) {
  shownFactor = factor;
  $("factor-details").hidden = false;
  $("factor-label").textContent = factor.label;
  $("factor-by").textContent = factor.by ? "Added by " + factor.by : "";
  $("factor-notes").textContent = factor.notes || "No notes.";
  show($("mark-error"), "");
  drawMarks();
  commentOn("factor", factor);
}

const POLL_MS = 3000; // the map follows the room's edits this often, while it is shown
let nodes = null;
let edges = null;

function nodeOf(f) {
  return {
    id: f.id, label: f.label, x: f.x, y: f.y, shape: "box",
    color: { background: "#ffffff", border: "#333333" }, font: { size: 18 },
  };
}

function edgeOf(l) {
  return {
    id: l.id, from: l.from, to: l.to, arrows: "to",
    label: l.polarity === "+" ? "more" : l.polarity === "-" ? "less" : "?",
    dashes: l.polarity === "?", font: { size: 14 },
  };
}

function replaceAll(set, items) {
  const keep = new Set(items.map((i) => i.id));
  set.remove(set.getIds().filter((id) => !keep.has(id)));
  set.update(items);
}

// vis-network (690 KB before compression) is fetched after the join form is shown, not
// before: on a busy room's Wi-Fi it doubled the wait from scan to form. The map's list of
// factors works without it; the drawing appears when it has come.
let visLoading = null;

function loadVis() {
  if (!visLoading) {
    visLoading = new Promise((resolve, reject) => {
      const style = document.createElement("link");
      style.rel = "stylesheet";
      style.href = "vis-network.css";
      document.head.appendChild(style);
      const script = document.createElement("script");
      script.src = "vis-network.min.js";
      script.onload = resolve;
      script.onerror = () => { visLoading = null; reject(new Error("The map drawing did not load: reload the page.")); };
      document.head.appendChild(script);
    });
  }
  return visLoading;
}

function drawNetwork() {
  if (typeof vis === "undefined") {
    loadVis().then(() => { if (view) drawNetwork(); }, (err) => show($("map-error"), err.message));
    return;
  }
  if (network && nodes) { // same map: change what changed, keep the zoom
    replaceAll(nodes, view.factors.map(nodeOf));
    replaceAll(edges, view.links.map(edgeOf));
    return;
  }
  nodes = new vis.DataSet(view.factors.map(nodeOf));
  edges = new vis.DataSet(view.links.map(edgeOf));
  const options = { physics: false, interaction: { dragNodes: false, tooltipDelay: 100000 } };
  network = new vis.Network($("network"), { nodes, edges }, options);
  network.on("click", (params) => {
    const factor = params.nodes.length && view.factors.find((f) => f.id === params.nodes[0]);
    if (factor) showFactor(factor);
    const link = !factor && params.edges.length && view.links.find((l) => l.id === params.edges[0]);
    if (link) showLink(link);
  });
}

async function loadMap(poll) {
  const which = encodeURIComponent($("view-map").value || "");
  const since = poll && view ? "&since=" + view.version : "";
  let answer;
  try {
    answer = await call("GET", "api/map?map=" + which + since);
    if (answer.unchanged) return;
    mine = await call("GET", "api/marks?map=" + which);
  } catch (err) {
    return show($("map-error"), err.message);
  }
  show($("map-error"), "");
  const sameMap = view && view.map.id === answer.map.id;
  view = answer;
  if (!sameMap) {
    if (network) network.destroy();
    network = null;
    shownFactor = null;
    $("factor-details").hidden = true;
    shownLink = null;
    $("link-details").hidden = true;
  }
  drawFactorList();
  drawLinkList();
  drawNetwork();
  if (shownFactor) {
    const still = view.factors.find((f) => f.id === shownFactor.id);
    if (still) showFactor(still); else $("factor-details").hidden = true;
  }
  if (shownLink) {
    const still = view.links.find((l) => l.id === shownLink.id);
    if (still) showLink(still); else $("link-details").hidden = true;
  }
}

// -- links' details and comments on a factor or a link ----------------------------------

let shownLink = null;
let commented = null; // what the comment box is about: {on: "factor" | "link", id}

function labelOf(id) {
  const factor = view.factors.find((f) => f.id === id);
  return factor ? factor.label : "?";
}

function linkWords(link) {
  const way = link.polarity === "+" ? "more" : link.polarity === "-" ? "less" : "a change in";
  return labelOf(link.from) + " leads to " + way + " " + labelOf(link.to);
}

function drawLinkList() {
  const list = $("link-list");
  list.replaceChildren();
  for (const link of view.links) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.textContent = linkWords(link);
    button.addEventListener("click", () => showLink(link));
    item.append(button);
    list.append(item);
  }
}

function showLink(link) {
  shownLink = link;
  shownFactor = null;
  $("factor-details").hidden = true;
  $("link-details").hidden = false;
  $("link-label").textContent = linkWords(link);
  $("link-by").textContent = link.by ? "Added by " + link.by : "";
  $("link-reason").textContent = link.why ? "Why: " + link.why : "";
  $("link-notes").textContent = link.notes || "No notes.";
  commentOn("link", link);
}

// The one comment box goes with the details shown (a factor's or a link's).
function commentOn(on, item) {
  if (on === "factor") {
    shownLink = null;
    $("link-details").hidden = true;
  }
  const details = $(on === "factor" ? "factor-details" : "link-details");
  const form = $("comment-form");
  // Moved only when it changes place: moving it would take the keyboard from a typist.
  // On a factor it comes straight after the notes, before the marks.
  if (form.parentElement !== details) {
    details.insertBefore(form, on === "factor" ? $("my-marks") : null);
  }
  if (!commented || commented.on !== on || commented.id !== item.id) {
    // Another item: a draft for the last one must not be sent about this one.
    $("comment-text").value = "";
    show($("comment-error"), "");
    show($("comment-done"), "");
  }
  commented = { on, id: item.id };
  $("comment-label").textContent = "Your comment on this " + on;
}

async function sendComment(event) {
  event.preventDefault();
  show($("comment-error"), "");
  show($("comment-done"), "");
  const text = $("comment-text").value;
  if (!text.trim()) return show($("comment-error"), "Please type your comment first.");
  $("comment-button").disabled = true;
  try {
    const answer = await call("POST", "api/comments", {
      map: view.map.id, on: commented.on, item: commented.id, text,
    });
    $("comment-text").value = "";
    show($("comment-done"), answer.placed
      ? "Thank you: your comment is in the notes."
      : "Thank you: your comment was sent to the facilitator.");
    drawIdeas(answer.ideas);
    if (answer.placed) loadMap(false);
  } catch (err) {
    show($("comment-error"), err.message);
  } finally {
    $("comment-button").disabled = false;
  }
}

setInterval(() => {
  if (!$("map-view").hidden && document.visibilityState === "visible") loadMap(true);
}, POLL_MS);

async function start() {
  try {
    welcome = await call("GET", "api/welcome");
  } catch (err) {
    $("loading").textContent = err.message;
    return;
  }
  $("loading").hidden = true;
  document.title = welcome.title ? "Join: " + welcome.title : "Join the map";
  if (welcome.title) $("title").textContent = welcome.title;
  if (welcome.me) drawJoined(); else drawJoin();
  // The page is up: fetch the map's drawing code while the parent types their name.
  setTimeout(() => loadVis().catch(() => {}), 0);
}

$("join-form").addEventListener("submit", join);
$("suggest-form").addEventListener("submit", suggest);
$("link-form").addEventListener("submit", suggestLink);
$("suggest-map").addEventListener("change", loadLinkChoices);
$("tab-suggest").addEventListener("click", () => showTab("suggest"));
$("tab-map").addEventListener("click", () => showTab("map"));
$("view-map").addEventListener("change", () => loadMap(false));
$("vote-less").addEventListener("click", () => changeVotes(-1));
$("vote-more").addEventListener("click", () => changeVotes(1));
$("comment-form").addEventListener("submit", sendComment);
start();

// -- What the facilitator lets phones do, and a removed phone starting afresh ------------
// The host says which switches are on (in the welcome, and api/switches, polled); what is
// off is hidden through body classes (phone.css: [data-needs]) and said in words.
const SWITCH_KINDS = ["see", "suggest", "mark", "comment"];
let removed = false;

function applySwitches(state) {
  if (!state || !state.may) return;
  for (const kind of SWITCH_KINDS) {
    document.body.classList.toggle("no-" + kind, state.may[kind] === false);
  }
  const said = $("switches-said");
  if (said.textContent !== (state.may_said || "")) {
    said.textContent = state.may_said || "";
    said.hidden = !state.may_said;
  }
  if (state.ideas_go) $("ideas-go").textContent = state.ideas_go;
  if (state.may.see === false && !$("map-view").hidden) showTab("suggest");
}

async function pollSwitches() {
  if (!welcome || !welcome.me || removed) return;
  try { applySwitches(await call("GET", "api/switches")); } catch (err) { /* heardRefusal */ }
}

function heardRefusal(error) {
  if (error.reason === "removed") showRemoved(error.message);
  else if (error.reason === "off") pollSwitches();
}

function showRemoved(message) {
  removed = true;
  for (const id of ["loading", "join", "joined", "whoami"]) $(id).hidden = true;
  $("removed-said").textContent = message;
  $("removed").hidden = false;
  $("join-again").focus();
}

// The token cookie is HttpOnly: only the host can expire it (api/forget).
async function joinAgain() {
  show($("removed-error"), "");
  $("join-again").disabled = true;
  try {
    await call("POST", "api/forget", {});
    welcome = await call("GET", "api/welcome");
    removed = false;
    $("removed").hidden = true;
    showTab("suggest");
    drawJoin();
  } catch (err) {
    show($("removed-error"), err.message);
  } finally {
    $("join-again").disabled = false;
  }
}

$("join-again").addEventListener("click", joinAgain);
setInterval(() => {
  if (ideasWaiting && !removed && welcome && welcome.me && !$("suggest").hidden
      && document.visibilityState === "visible") loadIdeas();
}, IDEAS_POLL_MS);
setInterval(() => { if (document.visibilityState === "visible") pollSwitches(); }, POLL_MS);
