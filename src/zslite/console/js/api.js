// The console's only way to the server: ZStack's public REST API, same origin, with the user's
// session (so a tenant sees exactly what the API shows that tenant). No other endpoint is used.

import { sha512Hex } from "./sha512.js";

const BASE = "/zstack/v1";
const KEY = "zslite.console.session";

export const session = {
  get() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) || "null");
    } catch {
      return null;
    }
  },
  set(value) {
    sessionStorage.setItem(KEY, JSON.stringify(value));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
  get isAdmin() {
    return this.get()?.accountType === "SystemAdmin";
  },
};

/** A failed call: the ErrorCode of a 503 as the server words it, or the text of a 400/404/405. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error.details || error.description || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || `HTTP ${status}`;
    this.description = error.description || "";
    this.details = error.details || "";
    this.error = error;
  }
}

let sessionEnded = () => {};

/** app.js registers what happens when the API answers ID.1001 (expired or invalid session). */
export function onSessionEnded(callback) {
  sessionEnded = callback;
}

function queryString(query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value === null || value === undefined || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? "?" + text : "";
}

async function send(method, url, body, auth) {
  const headers = { "Content-Type": "application/json;charset=UTF-8" };
  const current = session.get();
  if (auth && current) headers.Authorization = `OAuth ${current.uuid}`;
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store" });
  } catch (exc) {
    throw new ApiError(0, { code: "network", description: "The server could not be reached",
      details: String(exc.message || exc) });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = null;
  }
  if (response.status === 200 || response.status === 202) return { status: response.status, data: data || {} };
  const error = data && data.error ? data.error : { description: text.trim() || response.statusText };
  const failure = new ApiError(response.status, error);
  if (auth && failure.code === "ID.1001") sessionEnded(failure);
  throw failure;
}

export async function get(path, query) {
  return (await send("GET", BASE + path + queryString(query), undefined, true)).data;
}

/**
 * A Query API page: conditions (["name~=%x%"]), sort ("+name"), limit, start; answers
 * {inventories, total}. Every list of the console goes through here: the server filters, sorts
 * and pages, the browser never holds more than one page.
 */
export async function query(path, { q = [], sort, limit = 20, start = 0, fields } = {}) {
  const data = await get(path, { q, sort, limit, start, replyWithCount: true, fields: fields && fields.join(",") });
  return { inventories: data.inventories || [], total: data.total ?? (data.inventories || []).length };
}

export async function count(path, q = []) {
  return (await get(path, { q, count: true })).total;
}

/** One resource by uuid, or null when the caller may not see it (the API answers an empty list). */
export async function one(path, uuid) {
  if (!uuid) return null;
  const data = await get(`${path}/${encodeURIComponent(uuid)}`);
  return (data.inventories || [])[0] || null;
}

/** Several resources by uuid in one query (uuid?=a,b,c); answers a Map uuid → inventory. */
export async function byUuid(path, uuids) {
  const wanted = [...new Set(uuids.filter(Boolean))];
  const found = new Map();
  if (!wanted.length) return found;
  const data = await get(path, { q: `uuid?=${wanted.join(",")}`, limit: wanted.length });
  for (const inv of data.inventories || []) found.set(inv.uuid, inv);
  return found;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An asynchronous API: send it, then poll the job's location (a 202 until it ends) and, while it
 * runs, GetTaskProgress for its percentage. onProgress({state, percent, seconds}) is called on
 * every poll. Answers the job's result; throws ApiError with the job's ErrorCode when it failed.
 */
export async function job(method, path, body, onProgress = () => {}) {
  const accepted = await send(method, BASE + path, body, true);
  if (accepted.status === 200) return accepted.data; // a synchronous answer
  const location = new URL(accepted.data.location, window.location.href);
  const jobUuid = location.pathname.split("/").pop();
  const started = Date.now();
  onProgress({ state: "Accepted", percent: 0, seconds: 0, jobUuid });
  for (let round = 0; ; round++) {
    // the job's location may name another host (the request's Host header): poll its path here
    const polled = await send("GET", location.pathname, undefined, true);
    const seconds = (Date.now() - started) / 1000;
    if (polled.status === 200) {
      onProgress({ state: "Succeeded", percent: 100, seconds, jobUuid });
      return polled.data;
    }
    let percent = null;
    try {
      const progress = await get(`/task-progresses/${jobUuid}`);
      const value = Number(progress.inventories?.[0]?.opaque?.progress);
      if (Number.isFinite(value)) percent = value;
    } catch (exc) {
      if (exc.code === "ID.1001") throw exc;
    }
    onProgress({ state: "Running", percent, seconds, jobUuid });
    await sleep(Math.min(1000, 150 + round * 50));
  }
}

/** Log in; answers the session kept in sessionStorage: uuid, accountUuid, accountName, accountType. */
export async function logIn(accountName, password) {
  const reply = await send("PUT", BASE + "/accounts/login",
    { logInByAccount: { accountName, password: sha512Hex(password) } }, false);
  const inventory = reply.data.inventory;
  session.set({ uuid: inventory.uuid, accountUuid: inventory.accountUuid, accountName, accountType: "Normal" });
  const account = await one("/accounts", inventory.accountUuid).catch(() => null);
  const value = { uuid: inventory.uuid, accountUuid: inventory.accountUuid, accountName: account?.name || accountName,
    accountType: account?.type || "Normal" };
  session.set(value);
  return value;
}

export async function logOut() {
  const current = session.get();
  session.clear();
  if (current) {
    await send("DELETE", `${BASE}/accounts/sessions/${encodeURIComponent(current.uuid)}`, undefined, false)
      .catch(() => {});
  }
}
