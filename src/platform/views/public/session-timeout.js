// Warns staff two minutes before their session ends, and lets them stay signed in (WCAG 2.2.1 Timing Adjustable).
// Without JavaScript the session still ends after the idle period and the next page asks them to sign in again.
const holder = document.getElementById('session-timeout');
if (holder) {
  const idleSeconds = Number(holder.dataset.idleSeconds || '1800');
  const warnBefore = Math.min(120, Math.floor(idleSeconds / 2));
  let warnTimer;
  let endTimer;
  const dialog = document.createElement('dialog');
  dialog.className = 'app-timeout-dialog';
  dialog.setAttribute('aria-labelledby', 'timeout-heading');
  dialog.setAttribute('aria-describedby', 'timeout-body');
  dialog.innerHTML =
    '<h2 class="govuk-heading-m" id="timeout-heading">You are about to be signed out</h2>' +
    '<p class="govuk-body" id="timeout-body">For your security, we will sign you out in 2 minutes if you do not do anything.</p>' +
    '<div class="govuk-button-group"><button type="button" class="govuk-button" data-action="stay">Stay signed in</button>' +
    '<a class="govuk-link" href="/staff/sign-in?signedOut=timeout" data-action="leave">Sign out</a></div>';
  document.body.appendChild(dialog);
  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(() => dialog.showModal(), (idleSeconds - warnBefore) * 1000);
    endTimer = setTimeout(() => {
      window.location.href = '/staff/sign-in?signedOut=timeout';
    }, idleSeconds * 1000);
  };
  dialog.querySelector('[data-action="stay"]').addEventListener('click', async () => {
    const body = new URLSearchParams({ _csrf: holder.dataset.csrf || '' });
    const response = await fetch('/staff/session/extend', {
      method: 'POST',
      body,
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    });
    dialog.close();
    if (!response.ok) {
      window.location.href = '/staff/sign-in?signedOut=timeout';
      return;
    }
    schedule();
    // The page's "You will be signed out at …" line (for people without JavaScript) follows the new time.
    const line = document.getElementById('sign-out-time');
    const { expiresAt } = await response.json();
    if (line && expiresAt) {
      const time = new Intl.DateTimeFormat('en-GB', {
        hour: '2-digit',
        minute: '2-digit',
        timeZone: 'Europe/London',
      }).format(new Date(expiresAt));
      line.textContent = `You will be signed out at ${time} if you do nothing`;
    }
  });
  schedule();
}
