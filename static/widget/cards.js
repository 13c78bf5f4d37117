/* The cards over the chat window's composer: the pre-chat form, the email address asked when
 * nobody can answer, the rating after a chat, and "Email me this conversation".
 * W.form (docs/widget-protocol.md): {mode: "always" | "away", fields: {name|email|phone|question:
 * "optional" | "required"}, question, consent: {text, url} | null}; W.rating: "stars" |
 * "thumbs" | "off". The answers go over the socket ("contact", "rating", "transcript" frames);
 * chat.js hands their answers back here.
 */
import { $, el, fmt, local, safeUrl } from './dom.js';

/**
 * @param {object} o
 * @param {object} o.W the widget's settings; o.T its strings
 * @param {HTMLElement} o.card where the card goes
 * @param {function} o.send sends a frame over the socket
 * @param {function} o.showNotice a passing notice (an error with no field to mark)
 * @param {function} o.addNotice a line in the conversation, after what is on screen
 * @param {function} o.changed the composer may have to show or hide
 * @param {object} o.state the chat's own state: ready(), conversation(), team()
 */
export function cards({ W, T, card, send, showNotice, addNotice, changed, state }) {
  const K_FORM = `sohbet:${W.key}:form`; // this browser filled in the form
  const K_RATED = `sohbet:${W.key}:rated`; // the resolutions it rated
  const FORM = W.form && Object.keys(W.form.fields || {}).length ? W.form : null;
  let emailKnown = false;
  let formDone = !!local.get(K_FORM);
  let kind = '';

  const nobodyThere = () => !state.team().online || (W.hours && W.hours.state === 'closed');
  const open = () => { const c = state.conversation(); return !!(c && c.status === 'open'); };
  // "always": the form comes before the first message.
  const formFirst = () => !!(FORM && FORM.mode === 'always' && state.ready() && !formDone && !open());
  // After the first message while nobody can answer: ask for the email address.
  const emailAsk = () => !!(FORM && FORM.fields.email && state.ready() && !emailKnown && !formDone
    && open() && !state.conversation().bot && nobodyThere());
  const ratedKey = (c) => `${c.id}@${c.resolved_at}`;
  const rateAsk = () => {
    const c = state.conversation();
    return !!(W.rating && W.rating !== 'off' && c && c.status === 'resolved' && c.resolved_at
      && !(local.get(K_RATED) || []).includes(ratedKey(c)));
  };

  const field = (parent, key, label, type, required, extra) => {
    const box = el('div', 'field', parent);
    const id = `f-${key}`;
    const lab = el('label', '', box, label);
    lab.htmlFor = id;
    if (!required) el('span', 'opt', lab, ` ${T.optional}`);
    const inp = el(type === 'textarea' ? 'textarea' : 'input', '', box);
    inp.id = id;
    inp.name = key;
    if (type !== 'textarea') inp.type = type;
    if (required) inp.required = true;
    Object.assign(inp, extra || {});
    const err = el('p', 'err', box);
    err.id = `${id}-err`;
    err.hidden = true;
    return inp;
  };

  const error = (f) => {
    const target = f.field && card.querySelector(`[name="${f.field}"]`);
    card.querySelectorAll('.err').forEach((e) => { e.hidden = true; });
    card.querySelectorAll('[aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
    if (!target) return showNotice(f.message || T.error);
    const err = $(`${target.id}-err`);
    err.textContent = f.message || T.error;
    err.hidden = false;
    target.setAttribute('aria-invalid', 'true');
    target.setAttribute('aria-describedby', err.id);
    target.focus();
  };

  const showForm = (away) => {
    kind = away ? 'away' : 'form';
    card.textContent = '';
    const f = el('form', 'pre', card);
    f.noValidate = true;
    el('h2', '', f, away ? T.form_away_title : T.form_title);
    el('p', 'intro', f, away ? T.form_away_intro : T.form_intro);
    const want = away ? { email: 'required' } : FORM.fields;
    if (want.name) field(f, 'name', T.field_name, 'text', want.name === 'required', { autocomplete: 'name', maxLength: 100 });
    if (want.email) field(f, 'email', T.field_email, 'email', want.email === 'required', { autocomplete: 'email', maxLength: 254 });
    if (want.phone) field(f, 'phone', T.field_phone, 'tel', want.phone === 'required', { autocomplete: 'tel', maxLength: 30 });
    if (want.question) field(f, 'answer', FORM.question, 'textarea', want.question === 'required', { rows: 2, maxLength: 1000 });
    if (FORM.consent) {
      const box = el('div', 'field consent', f);
      const lab = el('label', '', box);
      const tick = el('input', '', lab);
      tick.type = 'checkbox';
      tick.id = 'f-consent';
      tick.name = 'consent';
      tick.required = true;
      el('span', '', lab, ` ${FORM.consent.text} `);
      const url = FORM.consent.url && safeUrl(FORM.consent.url);
      if (url) {
        const a = el('a', '', lab, T.privacy);
        a.href = url;
        a.target = '_blank';
        a.rel = 'noopener noreferrer nofollow';
      }
      const err = el('p', 'err', box);
      err.id = 'f-consent-err';
      err.hidden = true;
    }
    const go = el('button', 'primary', f, away ? T.form_save : T.form_start);
    go.type = 'submit';
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const fields = {};
      f.querySelectorAll('input, textarea').forEach((i) => {
        fields[i.name] = i.type === 'checkbox' ? i.checked : i.value.trim();
      });
      // The browser's own checks first (required, email); the server checks again.
      const bad = [...f.querySelectorAll('input, textarea')].find((i) => !i.checkValidity());
      if (bad) return error({ field: bad.name, message: bad.validationMessage });
      send({ type: 'contact', fields });
    });
    card.hidden = false;
  };

  const showRating = () => {
    kind = 'rating';
    const c = state.conversation();
    card.textContent = '';
    const box = el('div', 'rate', card);
    el('h2', '', box, T.rating_ask);
    const row = el('div', 'choices', box);
    row.setAttribute('role', 'group');
    row.setAttribute('aria-label', T.rating_ask);
    const choices = W.rating === 'thumbs' ? [[5, '👍', T.rating_up], [1, '👎', T.rating_down]]
      : [1, 2, 3, 4, 5].map((n) => [n, '★', fmt(T.rating_star, { n })]);
    choices.forEach(([score, icon, label]) => {
      const b = el('button', 'choice', row, icon);
      b.type = 'button';
      b.setAttribute('aria-label', label);
      b.title = label;
      b.dataset.score = score;
      b.addEventListener('click', () => send({ type: 'rating', conversation: c.id, score }));
    });
    card.hidden = false;
  };

  // The rating was stored: thanks, and a box for a comment unless one came with it.
  const rated = (f) => {
    const c = state.conversation();
    if (c && c.id === f.conversation) {
      local.set(K_RATED, [...(local.get(K_RATED) || []), ratedKey(c)].slice(-20));
    }
    card.textContent = '';
    kind = 'rated';
    const box = el('form', 'rate', card);
    el('p', 'thanks', box, T.rating_thanks).setAttribute('role', 'status');
    if (f.comment) return;
    const text = field(box, 'comment', T.rating_comment, 'textarea', true, { rows: 2, maxLength: 2000 });
    text.required = false;
    box.querySelector('.opt') && box.querySelector('.opt').remove();
    const b = el('button', 'primary', box, T.rating_send);
    b.type = 'submit';
    box.addEventListener('submit', (e) => {
      e.preventDefault();
      if (text.value.trim()) send({ type: 'rating', conversation: f.conversation, score: f.score, comment: text.value.trim() });
    });
  };

  // "Email me this conversation": straight away when the team knows the address, else a card
  // asks for one.
  const transcriptBtn = $('transcript-ask');
  const askTranscript = () => {
    const c = state.conversation();
    if (!c) return;
    if (emailKnown) return send({ type: 'transcript', conversation: c.id });
    kind = 'transcript';
    card.textContent = '';
    const f = el('form', 'pre', card);
    f.noValidate = true;
    el('h2', '', f, T.transcript_title);
    const email = field(f, 'address', T.field_email, 'email', true, { autocomplete: 'email', maxLength: 254 });
    const go = el('button', 'primary', f, T.form_save);
    go.type = 'submit';
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!email.checkValidity()) return error({ field: 'address', message: email.validationMessage });
      send({ type: 'transcript', conversation: c.id, address: email.value.trim() });
    });
    card.hidden = false;
    email.focus();
  };
  if (transcriptBtn) {
    transcriptBtn.textContent = T.transcript_ask;
    transcriptBtn.addEventListener('click', askTranscript);
  }

  const close = () => { kind = ''; card.hidden = true; card.textContent = ''; };

  // Which card shows now: the form before the chat, the email ask, the rating; or none.
  const show = () => {
    const c = state.conversation();
    let want = '';
    if (formFirst()) want = 'form';
    else if (emailAsk()) want = 'away';
    else if (rateAsk()) want = 'rating';
    else if (kind === 'rated' && c && c.status === 'resolved') want = 'rated';
    if (transcriptBtn) transcriptBtn.hidden = !(W.transcripts && c && state.ready());
    if (kind === 'transcript') return changed(); // until it is sent or answered
    if (want !== kind) {
      if (!want) close();
      else if (want === 'rating') showRating();
      else if (want !== 'rated') showForm(want === 'away');
    }
    changed();
  };

  return {
    formFirst,
    show,
    /** A refusal of the card's frame: marks the field, or says it in a notice. */
    error,
    /** Whether an error frame of `frame` belongs to a card on screen. */
    owns: (frame) => !!kind && ['contact', 'rating', 'transcript'].includes(frame),
    /** The hello's answer: does the team know this visitor's email address? */
    ready: (visitor) => { emailKnown = !!visitor.email_known; },
    /** "contact": the form was stored. */
    contact: (f) => {
      emailKnown = emailKnown || !!f.email;
      formDone = true;
      local.set(K_FORM, 1);
      if (f.email && kind === 'away') addNotice(T.form_thanks);
      show();
    },
    rated,
    /** "transcript": it was sent. */
    transcript: (f) => {
      if (kind === 'transcript') { close(); show(); }
      emailKnown = true;
      addNotice(fmt(T.transcript_sent, { address: f.address || '' }));
    },
  };
}
