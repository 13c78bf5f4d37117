// The live preview on the widget settings page (templates/tenants/_widget_preview.html).
// Its frame (templates/widget/preview.html) is the chat widget as a visitor sees it: the chat
// window's own markup and stylesheet, and the launcher as loader.js draws it. This module fills
// the frame in from the form as the admin types, in the language chosen with the buttons or
// last typed in, the way chat.js and loader.js fill in the real widget. The frame is on our
// origin and has no script: its document is written to from here, with DOM APIs and text nodes.

// The texts a workspace writes once per language (apps/tenants/translation.py): their fields
// are named like launcher_text_en, welcome_title_tr.
const TRANSLATED = ['launcher_text', 'welcome_title', 'welcome_message'];
const DEFAULT_COLOR = '#2563eb';

const section = document.querySelector('[data-widget-preview]');
const frame = section && section.querySelector('iframe');
const form = document.querySelector('input[name="color"]')?.form;

// Black or white text on the brand colour, whichever reads better (as chat.js and loader.js).
const inkOn = (color) => {
  const n = parseInt(color.slice(1), 16);
  return (n >> 16) * 0.3 + (n >> 8 & 255) * 0.59 + (n & 255) * 0.11 > 160 ? '#111' : '#fff';
};

const initials = (name) => (name || '?').trim().split(/\s+/).slice(0, 2)
  .map((w) => [...w][0] || '').join('').toUpperCase() || '?';

if (section && frame && form) {
  const buttons = [...section.querySelectorAll('button[data-language]')];
  const languages = buttons.map((b) => b.dataset.language);
  let language = section.dataset.language || languages[0];
  let chosenAvatar = null; // a picked, unsaved image, as a data: URL (the frame's CSP allows it)
  let data = null; // the frame's own data (sohbet-preview), read once per document
  let dataDoc = null;

  const suffix = (code) => code.replace(/-/g, '_');
  const value = (name) => {
    const input = form.elements.namedItem(name);
    return input && typeof input.value === 'string' ? input.value.trim() : '';
  };
  const languageOf = (name) => languages.find(
    (code) => TRANSLATED.some((field) => name === `${field}_${suffix(code)}`),
  );

  const frameData = (doc) => {
    if (doc !== dataDoc) {
      dataDoc = doc;
      try {
        data = JSON.parse(doc.getElementById('sohbet-preview').textContent);
      } catch (e) {
        data = null;
      }
    }
    return data;
  };

  const el = (doc, tag, cls, parent, text) => {
    const e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  };

  const avatar = (doc, name, url, parent) => {
    const box = el(doc, 'span', 'av', parent);
    box.setAttribute('aria-hidden', 'true');
    if (url) el(doc, 'img', '', box).src = url;
    else box.textContent = initials(name);
    return box;
  };

  const render = () => {
    const doc = frame.contentDocument;
    if (!doc || doc.readyState !== 'complete') return; // its load event renders it
    const D = frameData(doc);
    const host = doc.getElementById('sohbet-widget');
    if (!D || !host || !host.shadowRoot) return;
    const $ = (id) => doc.getElementById(id);
    const T = D.strings[language] || {};
    // An empty text shows the next language's, as django-modeltranslation gives it to visitors.
    const text = (field) => {
      for (const code of D.fallbacks[language] || [language]) {
        const found = value(`${field}_${suffix(code)}`);
        if (found) return found;
      }
      return '';
    };

    doc.documentElement.lang = language;
    const color = /^#[0-9a-f]{6}$/i.test(value('color')) ? value('color') : DEFAULT_COLOR;
    doc.documentElement.style.setProperty('--c', color);
    doc.documentElement.style.setProperty('--f', inkOn(color));
    const left = value('position') === 'left';
    doc.body.classList.toggle('left', left);

    // the launcher (loader.js: draw, showBadge)
    const wrap = host.shadowRoot.getElementById('wrap');
    const button = host.shadowRoot.getElementById('launcher');
    wrap.className = left ? 'left' : '';
    const name = value('display_name') || D.workspace;
    const launcherText = text('launcher_text');
    let label = button.querySelector('.t');
    if (launcherText) {
      label = label || button.insertBefore(el(doc, 'span', 't'), button.querySelector('.d'));
      label.textContent = launcherText;
    } else if (label) {
      label.remove();
    }
    button.setAttribute('aria-label', launcherText || name || 'Chat');

    // the chat window's header (chat.js: setTeam), with the team away
    const clear = form.elements.namedItem('avatar-clear');
    const avatarUrl = chosenAvatar || (clear && clear.checked ? null : D.avatar_url);
    $('name').textContent = name;
    $('avatar').textContent = '';
    avatar(doc, name, avatarUrl, $('avatar'));
    $('status').textContent = T.away || '';
    doc.body.classList.remove('online');

    // the welcome, the first row of a new visitor's conversation (chat.js: showWelcome)
    const log = $('log');
    log.textContent = '';
    const title = text('welcome_title');
    const message = text('welcome_message');
    if (title || message) {
      const row = el(doc, 'div', 'row op welcome', log);
      avatar(doc, name, avatarUrl, row);
      const col = el(doc, 'div', 'col', row);
      el(doc, 'span', 'name', col, name);
      const bubble = el(doc, 'div', 'bubble', col);
      if (title) el(doc, 'strong', '', bubble, title);
      if (message) el(doc, 'p', '', bubble, message);
    }

    // the window's own words, in the previewed language
    log.setAttribute('aria-label', T.log_label || '');
    $('input').placeholder = T.placeholder || '';
    const inputLabel = doc.querySelector('label[for="input"]');
    if (inputLabel) inputLabel.textContent = T.message_label || '';
    for (const [id, key] of [['send', 'send'], ['close', 'close']]) {
      const b = $(id);
      if (b) {
        b.setAttribute('aria-label', T[key] || '');
        b.title = T[key] || '';
      }
    }
    if ($('privacy')) $('privacy').textContent = T.typing_preview_note || '';
  };

  const show = (code) => {
    if (!code || !languages.includes(code)) return;
    language = code;
    buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.language === code)));
    render();
  };

  const readAvatar = () => {
    const input = form.elements.namedItem('avatar');
    const file = input && input.files && input.files[0];
    chosenAvatar = null;
    if (!file || !file.type.startsWith('image/')) { render(); return; }
    const reader = new FileReader();
    reader.onload = () => {
      if (input.files[0] === file) chosenAvatar = reader.result;
      render();
    };
    reader.readAsDataURL(file);
  };

  buttons.forEach((b) => b.addEventListener('click', () => show(b.dataset.language)));
  // Typing in (or moving to) one language's text shows that language.
  form.addEventListener('focusin', (e) => show(languageOf(e.target.name)));
  form.addEventListener('input', (e) => {
    const code = languageOf(e.target.name);
    if (code && code !== language) show(code);
    else render();
  });
  form.addEventListener('change', (e) => {
    if (e.target.name === 'avatar') readAvatar();
    else render();
  });
  frame.addEventListener('load', render);
  show(language);
}
