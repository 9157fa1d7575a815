// Messages pushed to this member of staff (docs/realtime.md): a call they answered opens the caller's record
// at once, unless they are part-way through a form (then a banner offers the link); reminders show as a banner.
// Without JavaScript the same state shows on the pages when loaded (the current-call bar, the home panels).
const holder = document.getElementById('staff-push');
if (holder && 'EventSource' in window) {
  let dirty = false;
  document.addEventListener('input', (event) => {
    if (event.target instanceof Element && event.target.closest('form')) dirty = true;
  });
  const banner = (message) => {
    const box = document.createElement('div');
    box.className = 'govuk-notification-banner app-push-banner';
    box.setAttribute('role', 'alert');
    box.dataset.testid = 'push-banner';
    const content = document.createElement('div');
    content.className = 'govuk-notification-banner__content';
    const text = document.createElement('p');
    text.className = 'govuk-notification-banner__heading';
    if (message.href) {
      const link = document.createElement('a');
      link.className = 'govuk-notification-banner__link';
      link.href = message.href;
      link.textContent = message.title;
      text.appendChild(link);
    } else {
      text.textContent = message.title;
    }
    content.appendChild(text);
    if (message.body) {
      const body = document.createElement('p');
      body.className = 'govuk-body';
      body.textContent = message.body;
      content.appendChild(body);
    }
    box.appendChild(content);
    holder.replaceChildren(box);
  };
  const source = new EventSource('/staff/push');
  const read = (event) => {
    try {
      return JSON.parse(event.data);
    } catch {
      return null;
    }
  };
  source.addEventListener('call', (event) => {
    const message = read(event);
    if (!message) return;
    if (message.href && !dirty && message.href.startsWith('/staff/')) window.location.assign(message.href);
    else banner(message);
  });
  source.addEventListener('callback_reminder', (event) => {
    const message = read(event);
    if (message) banner(message);
  });
  source.addEventListener('callback_overdue', (event) => {
    const message = read(event);
    if (message) banner(message);
  });
  window.addEventListener('pagehide', () => source.close());
}
