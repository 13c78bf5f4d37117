/*! Sohbet widget loader: docs/embedding.md. Frame messages: {sohbet: 1, type, data} */
((w, d) => {
  'use strict';
  if (w.Sohbet && w.Sohbet.loaded) return; // pasted twice

  const me = d.currentScript || d.querySelector('script[data-key],script[data-sohbet-key]');
  const S = w.SohbetSettings || {};
  const key = S.key || me && (me.dataset.key || me.dataset.sohbetKey);
  let base = S.base || me && me.src.replace(/\/widget\.js([?#].*)?$/, '');
  if (!/^[\w-]+$/.test(key) || !base) return;
  base = new URL(base, location.href).href.replace(/\/+$/, '');
  const origin = new URL(base).origin, wurl = `${base}/w/${key}`;
  const TOKEN = `sohbet:${key}:vt`;

  // storage that never throws; memory as fallback
  const mem = {};
  const sget = (s, k) => { try { const v = w[s].getItem(k); if (v != null) return v; } catch (e) {} return mem[s + k] || null; };
  const sset = (s, k, v) => { mem[s + k] = v; try { w[s].setItem(k, v); } catch (e) {} };

  const queued = w.Sohbet && w.Sohbet.q || [];
  const on = { message: [], open: [], close: [], ready: [] };
  let cfg, host, wrap, btn, badge, frame, drawn, frameReady, ident, attrs, sock, sockTimer, greeting, flowKey;
  let sockTries = 0;
  let isOpen = false, want = null, unread = 0, quietOpen = 0;
  let visitDone = Promise.resolve(), lastUrl = location.href, lastRef = d.referrer;

  const emit = (ev, data) => on[ev].slice().forEach(fn => {
    try { fn(data); } catch (err) { setTimeout(() => { throw err; }); }
  });
  const post = (type, data) => frameReady && frame.contentWindow.postMessage({ sohbet: 1, type, data }, origin);

  const api = (cmd, a, b) => {
    if (cmd == 'open' || cmd == 'close') setOpen(cmd == 'open');
    else if (cmd == 'toggle') setOpen(!(drawn ? isOpen : want));
    else if (cmd == 'identify' && a) { post('identify', ident = a); tell('identify', a); }
    else if (cmd == 'setAttributes' && a) {
      attrs = Object.assign(attrs || {}, a);
      post('attributes', a);
      tell('attributes', { attributes: attrs });
    }
    else if (cmd == 'startFlow' && a) { // a flow of the workspace (docs/automation.md)
      setOpen(true);
      if (frameReady) post('flow', { key: String(a) }); else flowKey = String(a);
    }
    else if (cmd == 'on' && on[a] && typeof b == 'function') {
      on[a].push(b);
      if (a == 'ready' && drawn) setTimeout(b);
    } else if (cmd == 'off' && on[a]) on[a] = on[a].filter(f => f !== b);
  };
  api.loaded = 1;
  w.Sohbet = api;

  const page = () => ({ url: location.href, title: d.title, referrer: lastRef });

  const tzOffset = (m = -new Date().getTimezoneOffset(), a = Math.abs(m)) =>
    (m < 0 ? '-' : '+') + String(a / 60 | 0).padStart(2, '0') + ':' + String(a % 60).padStart(2, '0');

  const visit = () => {
    const v = Object.assign(page(), {
      token: sget('localStorage', TOKEN), language: navigator.language,
      // The UTC offset, not Intl's zone name: Intl's first use loads the time zone data on the
      // host page's main thread (15-50 ms measured). The chat
      // window sends the name when it opens.
      timezone: tzOffset(),
      screen: screen.width + 'x' + screen.height
    });
    // text/plain: a simple CORS request, no preflight
    visitDone = fetch(wurl + '/visit', {
      method: 'POST', mode: 'cors', credentials: 'omit', keepalive: true,
      headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(v)
    }).then(r => r.ok && r.json())
      .then(j => j && j.token && sset('localStorage', TOKEN, j.token))
      .catch(() => {});
  };

  // SPA navigation; read the title a moment later, as apps set it after pushState
  const navigated = () => setTimeout(() => {
    if (location.href == lastUrl) return;
    lastRef = lastUrl;
    lastUrl = location.href;
    // the chat window's socket records it, or the presence socket; without either, the beacon
    if (frameReady) post('page', page()); else if (!tell('page', page())) visit();
  }, 300);
  for (const m of ['pushState', 'replaceState']) {
    const orig = history[m];
    history[m] = function () { const r = orig.apply(this, arguments); navigated(); return r; };
  }
  w.addEventListener('popstate', navigated);

  const CSS = ':host{all:initial}[hidden]{display:none!important}' +
    '.l,.f{position:fixed;bottom:20px;right:20px;z-index:2147483647;border:0;box-shadow:0 4px 20px #0004}' +
    '.left .l,.left .f{right:auto;left:20px}.l{display:flex;align-items:center;gap:8px;height:56px;' +
    'min-width:56px;padding:0 16px;border-radius:28px;background:var(--c);color:var(--f);' +
    'font:600 15px system-ui,sans-serif;cursor:pointer}.l:focus-visible{outline:0;box-shadow:0 0 0 3px #fff,0 0 0 6px #111}' +
    'svg{width:26px;fill:currentColor}.open svg,.open .t,.x{display:none}.open .x{display:block;font-size:30px}' +
    '.d,.b{position:absolute;top:-4px;border-radius:10px}.d{left:0;width:10px;height:10px;border:2px solid #fff;' +
    'background:#9ca3af}.on .d{background:#16a34a}.b{right:-4px;padding:0 6px;background:#dc2626;color:#fff;' +
    'font:700 12px/20px system-ui}.f{bottom:88px;width:380px;height:600px;max-height:calc(100vh - 108px);' +
    'border-radius:12px;background:#fff}' +
    '@media (max-width:479px){.t{display:none}.f{inset:0;width:100%;height:100%;max-height:none;border-radius:0}}';

  const el = (tag, cls, parent) => {
    const e = d.createElement(tag);
    e.className = cls;
    return parent.appendChild(e);
  };

  const draw = () => {
    const c = /^#[0-9a-f]{3,8}$/i.test(cfg.color) ? cfg.color : '#2563eb';
    const n = parseInt(c.slice(1).replace(/^(.)(.)(.)$/, '$1$1$2$2$3$3').slice(0, 6), 16);
    // Black or white text on it, whichever contrasts more (WCAG relative luminance).
    const lin = (v) => (v / 255 <= .03928 ? v / 255 / 12.92 : Math.pow((v / 255 + .055) / 1.055, 2.4));
    const lum = .2126 * lin(n >> 16) + .7152 * lin(n >> 8 & 255) + .0722 * lin(n & 255);
    const ink = lum > .1916 ? '#111' : '#fff';
    host = d.createElement('div');
    host.id = 'sohbet-widget';
    const root = host.attachShadow({ mode: 'open' });
    // A constructed style sheet: a host page's Content-Security-Policy (style-src) applies to a
    // <style> element, even in the shadow root, but not to it. The element where it is missing.
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) { el('style', '', root).textContent = CSS; }
    wrap = el('div', (cfg.position == 'left' ? 'left' : '') + (cfg.team_online ? ' on' : ''), root);
    wrap.style.cssText = `--c:${c};--f:${ink}`;
    btn = el('button', 'l', wrap);
    btn.type = 'button';
    btn.setAttribute('aria-expanded', false);
    btn.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M2 4a2 2 0 0 1 2-2h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H8l-6 4z"/></svg><span class="x" aria-hidden="true">\u00d7</span>';
    if (cfg.launcher_text) el('span', 't', btn).textContent = cfg.launcher_text;
    el('span', 'd', btn);
    badge = el('span', 'b', btn);
    badge.setAttribute('aria-hidden', true);
    showBadge();
    btn.onclick = () => setOpen(!isOpen);
    d.body.appendChild(host);
    drawn = 1;
    if (want != null) setOpen(want);
    emit('ready');
    const later = () => (w.requestIdleCallback || setTimeout)(() => visitDone.then(presence));
    if (d.readyState == 'complete') later(); else w.addEventListener('load', later);
  };

  const showBadge = () => {
    badge.hidden = !unread;
    badge.textContent = unread > 9 ? '9+' : unread;
    btn.setAttribute('aria-label', (cfg.launcher_text || cfg.display_name || 'Chat') + (unread ? ` (${unread})` : ''));
  };

  // quiet: opened by itself (proactive chat): focus stays put
  const setOpen = (v, quiet) => {
    if (!drawn) return want = v;
    if (v == isOpen) return;
    isOpen = v;
    quietOpen = v && quiet;
    wrap.classList.toggle('open', v);
    btn.setAttribute('aria-expanded', v);
    if (v) {
      unread = 0;
      showBadge();
      // Focus goes in once the frame's page is up: focused while its cross-site page is still
      // loading, Chromium can keep routing keys to the host page (typed text is lost).
      if (frame) { frame.hidden = false; quiet || !frameReady || frame.focus(); } else makeFrame();
    } else if (frame) {
      if (d.activeElement == host) btn.focus(); // focus was inside
      frame.hidden = true;
    }
    post(v ? 'open' : 'close', v && quiet ? { focus: false } : undefined);
    emit(v ? 'open' : 'close');
  };

  // The presence socket (docs/widget-protocol.md): until the chat window is made, it keeps the
  // visitor in the team's live list and rings when the team writes. Far lighter than the window.
  const tell = (type, data) => {
    if (!sock || sock.readyState != 1) return;
    sock.send(JSON.stringify(Object.assign({ type }, data)));
    return 1;
  };
  const presence = () => {
    const token = sget('localStorage', TOKEN);
    if (frame || sock || !token || !w.WebSocket) return;
    const s = sock = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/presence/${key}/`);
    let ping;
    s.onopen = () => {
      sockTries = 0;
      tell('hello', { token });
      if (ident) tell('identify', ident);
      if (attrs) tell('attributes', { attributes: attrs });
      ping = setInterval(() => tell('ping'), 45000); // under proxies' 55-60 s idle limits
    };
    s.onmessage = e => {
      let f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      const team = f.type == 'ready' ? f.team : f.type == 'team' && f;
      if (team) wrap.classList.toggle('on', !!team.online);
      else if (f.type == 'open' && !isOpen) { // the team wrote first, or a rule greets
        greeting = f.greeting;
        setOpen(true, 1);
      }
      else if (f.type == 'message') makeFrame(); // the window shows it, the badge counts it
    };
    s.onclose = e => {
      clearInterval(ping);
      if (sock != s) return;
      sock = null;
      if (e.code != 4403 && e.code != 4404 && !frame) {
        const t = Math.min(30000, 1000 * 2 ** sockTries++);
        sockTimer = setTimeout(presence, t / 2 + Math.random() * t / 2);
      }
    };
  };
  const hangUp = () => {
    clearTimeout(sockTimer);
    const s = sock;
    sock = null;
    if (s) s.close();
  };

  // made on the first open, or hidden when the team writes; waits for the beacon's token so
  // the frame does not make a 2nd visitor
  const makeFrame = () => Promise.race([visitDone, new Promise(r => setTimeout(r, 3000))]).then(() => {
    if (frame) return;
    frame = el('iframe', 'f', wrap);
    frame.title = cfg.display_name || 'Chat';
    frame.hidden = !isOpen;
    frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox');
    // token in the fragment: never in server logs
    frame.src = `${wurl}/chat/?embed=1#vt=${encodeURIComponent(sget('localStorage', TOKEN) || '')}&o=${encodeURIComponent(location.origin)}`;
  });

  w.addEventListener('message', e => {
    const m = e.data, t = m && m.type, data = m && m.data || {};
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin || m.sohbet !== 1) return;
    if (t == 'ready') {
      frameReady = 1;
      if (ident) post('identify', ident);
      if (attrs) post('attributes', attrs);
      if (greeting) post('greeting', { text: greeting });
      if (flowKey) { post('flow', { key: flowKey }); flowKey = null; }
      if (isOpen && !quietOpen) frame.focus();
      post(isOpen ? 'open' : 'close', isOpen && quietOpen ? { focus: false } : undefined);
    } else if (t == 'close') setOpen(false);
    else if (t == 'connected') hangUp(); // the window's own socket counts the visitor now
    else if (t == 'token' && data.token) sset('localStorage', TOKEN, data.token);
    else if (t == 'message') emit('message', data);
    else if (t == 'unread' && !isOpen) { unread = +data.count || unread + 1; showBadge(); }
    else if (t == 'proactive' && !isOpen) setOpen(true, 1); // the team wrote first
    else if (t == 'team') wrap.classList.toggle('on', !!data.online);
  });

  queued.forEach(args => api(...args));
  fetch(wurl + '/config.json', { credentials: 'omit' })
    .then(r => { if (!r.ok) throw r; return r.json(); })
    .then(c => {
      cfg = c;
      visit();
      if (d.body) draw(); else d.addEventListener('DOMContentLoaded', draw);
    })
    .catch(() => {}); // unknown/suspended: stay silent
})(window, document);
