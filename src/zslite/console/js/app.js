// The console's shell: hash routing (#/vms/<uuid> is bookmarkable), the header, login and logout.
//
//   #/                      overview
//   #/vms, #/vms/<uuid>     VM list, VM page (candidates, why not, stop, change image)
//   #/images, #/images/<uuid>
//   #/volumes
//   #/plans, #/plans/new, #/plans/<uuid>   image change plans: list, new plan (a dry run), a plan's page
//   #/infra/<zones|clusters|hosts|primary-storage|backup-storage>

import { h, replace } from "./dom.js";
import * as api from "./api.js";
import { errorBox, page } from "./ui.js";
import { listView } from "./lists.js";
import { vms, images, volumes, INFRA, INFRA_TABS } from "./resources.js";
import { overview } from "./overview.js";
import { vmPage } from "./vm.js";
import { imagePage } from "./image.js";
import { plans, planPage } from "./plans.js";
import { planForm } from "./planform.js";

const main = document.getElementById("main");
const header = document.getElementById("top");
const accountLabel = document.getElementById("account");
const logoutButton = document.getElementById("logout");

let loginMessage = null;   // shown above the login form: why you are here
let returnTo = null;       // the page asked for before logging in
let lastPath = null;

function parseHash() {
  const raw = window.location.hash.replace(/^#/, "") || "/";
  const [path, query] = raw.split("?");
  let segments;
  try {
    segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    segments = ["?"];
  }
  return { path, segments, params: new URLSearchParams(query || "") };
}

function navCurrent(section) {
  for (const a of document.querySelectorAll("#nav a[data-section]")) {
    if (a.dataset.section === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

function infraPage(tab, params) {
  const tabs = INFRA_TABS.filter(([id]) => api.session.isAdmin || id === "zones" || id === "clusters");
  const chosen = INFRA[tab] && tabs.some(([id]) => id === tab) ? tab : "zones";
  return page("Infrastructure",
    h("nav", { class: "tabs", "aria-label": "Infrastructure" }, tabs.map(([id, label]) =>
      h("a", { href: `#/infra/${id}`, "aria-current": id === chosen ? "page" : null }, label))),
    listView(INFRA[chosen](), params));
}

function view(segments, params) {
  const [section, id] = segments;
  switch (section) {
    case undefined:
      return ["overview", "Overview", overview()];
    case "vms":
      return ["vms", "Virtual machines", id ? vmPage(id, params) : page("Virtual machines", listView(vms(), params))];
    case "images":
      return ["images", "Images", id ? imagePage(id) : page("Images", listView(images(), params))];
    case "volumes":
      return ["volumes", "Volumes", page("Volumes", listView(volumes(), params))];
    case "plans":
      return ["plans", "Image change plans", id === "new" ? planForm(params) : id ? planPage(id)
        : page("Image change plans", listView(plans(), params))];
    case "infra":
      return ["infra", "Infrastructure", infraPage(id || "zones", params)];
    default:
      return [null, "Not found", page("Not found", h("p", {}, "There is no such page. ", h("a", { href: "#/" }, "Back to the overview")))];
  }
}

function render() {
  const current = api.session.get();
  const { path, segments, params } = parseHash();
  if (!current) {
    if (segments[0] !== "login") returnTo = window.location.hash || null;
    showLogin();
    return;
  }
  if (segments[0] === "login") {
    window.location.hash = "#/";
    return;
  }
  header.hidden = false;
  replace(accountLabel, h("span", { class: "account-name" }, current.accountName), " ",
    h("span", { class: "muted" }, current.accountType === "SystemAdmin" ? "(admin)" : "(tenant)"));
  const [section, title, node] = view(segments, params);
  navCurrent(section);
  document.title = `${title} · zslite console`;
  replace(main, node);
  main.dataset.route = window.location.hash; // what is on screen (the tests wait on it)
  if (path !== lastPath) {
    const heading = main.querySelector("h1");
    if (heading) heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  lastPath = path;
}

function showLogin() {
  header.hidden = true;
  navCurrent(null);
  document.title = "Log in · zslite console";
  lastPath = null;
  const name = h("input", { id: "login-account", name: "account", autocomplete: "username", required: true,
    value: "", autocapitalize: "none", spellcheck: "false" });
  const password = h("input", { id: "login-password", name: "password", type: "password",
    autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", class: "primary" }, "Log in");
  const status = h("div", { class: "login-status", "aria-live": "polite" },
    loginMessage ? h("div", { class: `alert alert-${loginMessage.kind}`, role: "alert", "data-message": loginMessage.id },
      loginMessage.text) : null);
  const form = h("form", { class: "login-form", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, "Log in to zslite"),
    h("p", { class: "muted" }, "Any account: admin or a tenant. Your password is sent as its SHA-512, as every ZStack client does."),
    status,
    h("label", { for: "login-account" }, "Account name"), name,
    h("label", { for: "login-password" }, "Password"), password,
    submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(status, h("span", { class: "muted", role: "status" }, "Logging in…"));
    try {
      await api.logIn(name.value.trim(), password.value);
      loginMessage = null;
      const target = returnTo && returnTo !== "#/login" ? returnTo : "#/";
      returnTo = null;
      if (window.location.hash === target) render(); else window.location.hash = target;
    } catch (error) {
      replace(status, errorBox(error, "Login failed"));
      submit.disabled = false;
      password.select();
    }
  });
  replace(main, h("div", { class: "login" }, form,
    h("p", { class: "muted login-links" }, h("a", { href: "/docs" }, "API reference"))));
  name.focus();
}

api.onSessionEnded((error) => {
  api.session.clear();
  loginMessage = { id: "expired", kind: "error",
    text: `Your session has ended: ${error.description || "expired or invalid"}. Please log in again.` };
  returnTo = window.location.hash || null;
  showLogin();
});

logoutButton.addEventListener("click", async () => {
  logoutButton.disabled = true;
  await api.logOut();
  logoutButton.disabled = false;
  loginMessage = { id: "logged-out", kind: "ok", text: "You have logged out." };
  returnTo = null;
  if (window.location.hash && window.location.hash !== "#/") window.location.hash = "#/";
  else render();
});

document.getElementById("skip").addEventListener("click", () => {
  const heading = main.querySelector("h1") || main;
  heading.focus();
});

window.addEventListener("hashchange", render);
render();
