/* The bot's messages in the chat window: its name marked as automated, the knowledge-base
 * question an answer comes from, and the buttons under its latest message (the entries it
 * suggests when it is not sure, "That answered it", "Talk to a person"), which go over the
 * socket as a "bot" frame, or a flow's buttons, which go as a "choice" frame
 * (docs/widget-protocol.md).
 * Text only: every string becomes a text node.
 */

/** The name line of a bot message: the bot's name and an "Automated" badge. */
export function botName(nameEl, name, label) {
  nameEl.textContent = name;
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.textContent = label;
  nameEl.append(' ', badge);
}

/** The box of buttons under message `m`; `group`: named by the message, as a question. */
function choicesBox(m, answered, group) {
  const box = document.createElement('div');
  box.className = 'choices';
  box.dataset.message = m.id;
  if (answered && answered.includes(m.id)) box.dataset.done = '1'; // pressed before (another page)
  if (group) {
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', m.body || '');
  }
  return box;
}

/** A button in `box` that, pressed, disables the box's buttons and calls `onPress`. */
function choiceButton(box, label, onPress) {
  const btn = document.createElement('button');
  btn.type = 'button';
  btn.textContent = label;
  btn.addEventListener('click', () => {
    box.querySelectorAll('button').forEach((x) => { x.disabled = true; });
    onPress();
  });
  box.append(btn);
  return btn;
}

/** A flow's question with buttons (content.flow.choices): each sends a "choice" frame; the
 * visitor's answer comes back as their message with the button's words. */
function flowChoices(m, col, choose, answered) {
  const flow = m.content && typeof m.content === 'object' ? m.content.flow : null;
  const choices = flow && Array.isArray(flow.choices) ? flow.choices : [];
  if (!choices.length) return;
  const box = choicesBox(m, answered, true);
  choices.forEach((c) => {
    if (!c || typeof c.label !== 'string') return;
    choiceButton(box, c.label, () => choose(String(c.id), m.id));
  });
  col.append(box);
}

/** Decorate a bot message's column: where the answer comes from, and its buttons. */
export function botParts(m, col, T, press, answered, choose) {
  flowChoices(m, col, choose, answered);
  const bot = m.content && typeof m.content === 'object' ? m.content.bot : null;
  if (!bot || typeof bot !== 'object') return;
  const entry = bot.entry && typeof bot.entry === 'object' ? bot.entry : null;
  if (entry && typeof entry.question === 'string' && entry.question) {
    const from = document.createElement('p');
    from.className = 'from';
    from.textContent = T.bot_from.replace('{question}', entry.question);
    col.querySelector('.bubble').after(from);
  }
  const wanted = Array.isArray(bot.buttons) ? bot.buttons.filter((b) => b === 'helpful' || b === 'person') : [];
  const suggested = Array.isArray(bot.suggestions)
    ? bot.suggestions.filter((s) => s && typeof s.id === 'string' && typeof s.question === 'string')
    : [];
  if (!wanted.length && !suggested.length) return;
  const box = choicesBox(m, answered, suggested.length > 0);
  // Not sure: the closest entries, each a button that asks that question.
  suggested.forEach((s) => {
    choiceButton(box, s.question, () => press('choose', m.id, s.id)).className = 'suggestion';
  });
  wanted.forEach((b) => {
    const label = b === 'helpful' ? T.bot_helpful : T.bot_person;
    choiceButton(box, label, () => press(b, m.id)).dataset.action = b;
  });
  col.append(box);
}

/** Only the newest message's buttons stay, and none once people have the conversation; the
 * welcome message's flows only until the conversation has a message. */
export function botChoices(log, botHolds) {
  const last = [...log.querySelectorAll('.row[data-id]')].pop();
  log.querySelectorAll('.choices').forEach((box) => {
    box.hidden = box.dataset.welcome
      ? !!last
      : !botHolds || box.closest('.row') !== last || box.dataset.done === '1';
  });
}

/** Buttons in the welcome message that start a flow (W.flows: [{key, label}]). */
export function welcomeFlows(col, flows, start) {
  if (!Array.isArray(flows) || !flows.length) return;
  const box = document.createElement('div');
  box.className = 'choices';
  box.dataset.welcome = '1';
  flows.forEach((f) => {
    if (!f || typeof f.key !== 'string' || typeof f.label !== 'string') return;
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.textContent = f.label;
    btn.addEventListener('click', () => {
      box.hidden = true;
      start(f.key);
    });
    box.append(btn);
  });
  col.append(box);
}

/** The server took a button press: the buttons go; "That answered it" is thanked. */
export function botPressed(log, f, T) {
  const box = log.querySelector(`.choices[data-message="${Number(f.message)}"]`);
  if (!box) return;
  box.dataset.done = '1';
  box.hidden = true;
  if (f.action === 'helpful') {
    const thanks = document.createElement('p');
    thanks.className = 'from';
    thanks.textContent = T.bot_thanks;
    box.after(thanks);
  }
}

/** The visitor's choice to let their chats improve the bot's answers (a "consent" frame). */
export function botLearning(tools, T, send) {
  const label = document.createElement('label');
  label.className = 'learn';
  const box = document.createElement('input');
  box.type = 'checkbox';
  label.append(box, ' ', T.bot_learning);
  box.addEventListener('change', () => send({ type: 'consent', purpose: 'learning', given: box.checked }));
  tools.append(label);
  return (given) => { box.checked = !!given; };
}
