// "??words" in a staff reply box: lists matching knowledge articles under the box; choosing one replaces
// "??words" with the article's text and adds its hidden `article` ref (recorded when the reply is sent).
// Without JavaScript the form's "Insert answer" button does the same through the server.
for (const holder of document.querySelectorAll('[data-answer-insert]')) {
  const box = document.getElementById(holder.dataset.for);
  const form = box && box.form;
  if (!form) continue;
  const list = document.createElement('div');
  list.className = 'app-answer-suggestions';
  list.setAttribute('aria-live', 'polite');
  list.dataset.testid = 'answer-suggestions';
  holder.prepend(list);
  let asked = '';

  const typed = () => {
    const before = box.value.slice(0, box.selectionStart ?? box.value.length);
    const match = /\?\?([^?\n]{2,60})$/u.exec(before);
    return match ? { words: match[1].trim(), start: before.length - match[0].length } : null;
  };

  const show = (answers, at) => {
    list.replaceChildren();
    if (answers.length === 0) {
      const none = document.createElement('p');
      none.className = 'govuk-body-s';
      none.textContent = 'No article matches.';
      list.append(none);
      return;
    }
    const ul = document.createElement('ul');
    ul.className = 'govuk-list';
    ul.setAttribute('aria-label', 'Articles to insert');
    for (const a of answers) {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'govuk-button govuk-button--secondary app-button--small govuk-!-margin-bottom-1';
      button.textContent = `Insert: ${a.title}${a.audience === 'internal' ? ' (internal)' : ''}`;
      button.dataset.testid = 'answer-suggestion';
      button.addEventListener('click', () => {
        const end = box.selectionStart ?? box.value.length;
        box.value = box.value.slice(0, at.start) + a.text + box.value.slice(end);
        if (![...form.querySelectorAll('input[name="article"]')].some((i) => i.value === a.ref)) {
          const ref = document.createElement('input');
          ref.type = 'hidden';
          ref.name = 'article';
          ref.value = a.ref;
          form.append(ref);
        }
        list.replaceChildren();
        asked = '';
        box.focus();
      });
      li.append(button);
      ul.append(li);
    }
    list.append(ul);
  };

  box.addEventListener('input', async () => {
    const at = typed();
    if (!at || at.words.length < 2) {
      if (!at) list.replaceChildren();
      return;
    }
    if (at.words === asked) return;
    asked = at.words;
    try {
      const response = await fetch(`/staff/knowledge/answers?q=${encodeURIComponent(at.words)}`, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      });
      if (!response.ok) return;
      const { answers } = await response.json();
      if (asked === at.words) show(answers, at);
    } catch {
      // The "Insert answer" button still works.
    }
  });
}
