// Functions the service worker runs inside the console tab (chrome.scripting.executeScript,
// MAIN world: the CSRF token is the console's own AWSC.Auth.getMbtc()). Each must be
// self-contained: Chromium sends its source text, not its closure. What to send is
// decided in Rust (switchyard_shared::switch); these only read the page and send.

/**
 * The page's URL, its awsc-session-data meta tag, its CSRF token and its aws-userInfo
 * cookie (who is signed in; null when absent).
 */
export function readPage() {
  const meta = document.querySelector('meta[name="awsc-session-data"]');
  let csrf = null;
  try {
    const token = globalThis.AWSC?.Auth?.getMbtc?.();
    if (token !== undefined && token !== null) csrf = String(token);
  } catch {
    csrf = null;
  }
  const cookie = document.cookie.split('; ').find((c) => c.startsWith('aws-userInfo='));
  const userInfo = cookie ? cookie.slice('aws-userInfo='.length) : null;
  return { url: location.href, session_meta: meta ? meta.getAttribute('content') : null, csrf, user_info: userInfo };
}

/**
 * POST `fields` ([[name, value], …]) to `action` from this page, with no visible form:
 * the hidden form is built and submitted in one synchronous run, so no other script
 * (a password manager's autofill) can run in between and change a field. The native
 * submit() fires no submit event for such scripts to hook.
 */
export function submitForm(action, fields) {
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = action;
  form.target = '_self';
  form.style.display = 'none';
  form.setAttribute('autocomplete', 'off');
  for (const [name, value] of fields) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  (document.body || document.documentElement).appendChild(form);
  HTMLFormElement.prototype.submit.call(form);
  return { sent_at: Date.now() };
}

/** GET JSON with the page's cookies (the console's list of signed-in sessions). */
export async function getJson(url) {
  try {
    const response = await fetch(url, {
      credentials: 'include',
      headers: { Accept: 'application/json', 'X-CSRF-PROTECTION': '1' },
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    return { status: 0, text: String(error) };
  }
}

/** POST JSON with the page's cookies (the multi-session switch); the status and body. */
export async function postJson(url, body) {
  const sentAt = Date.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-PROTECTION': '1' },
      body,
    });
    return { status: response.status, text: await response.text(), sent_at: sentAt };
  } catch (error) {
    return { status: 0, text: String(error), sent_at: sentAt };
  }
}
