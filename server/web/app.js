// heidi serve — the Connections page. No framework, no external assets.
(() => {
  'use strict';

  const STATUS = '/connect/opencode/openai/status';
  const TEST = '/connect/opencode/openai/test';
  const LOGIN = '/connect/opencode/openai/login';
  const $ = (id) => document.getElementById(id);
  const meta = document.querySelector('meta[name="heidi-token"]');
  const token = meta ? meta.content : '';

  const el = {
    badge: $('badge'), badgeText: $('badge-text'),
    verify: $('verify-btn'), test: $('test-btn'), connect: $('connect-btn'),
    status: $('status'), placeholder: $('status-placeholder'), facts: $('facts'),
    errorBox: $('error-box'), lastError: $('last-error'), nextBox: $('next-box'), nextCmd: $('next-cmd'),
    notes: $('notes'), modelsBox: $('models-box'), models: $('models'), modelsCount: $('models-count'),
    testResult: $('test-result'), testIdle: $('test-idle'), testRunning: $('test-running'), testDone: $('test-done'),
    testSummary: $('test-summary'), testError: $('test-error'), testHints: $('test-hints'), testTail: $('test-tail'),
    testBadge: $('test-badge'), testBadgeText: $('test-badge-text'),
    dialog: $('connect-dialog'), live: $('copy-live'), terminal: $('terminal-btn'),
    loginCard: $('login-card'), loginSteps: $('login-steps'), loginCancel: $('login-cancel'),
    loginURLBox: $('login-url-box'), loginURL: $('login-url'), loginCodeBox: $('login-code-box'),
    loginCode: $('login-code'), loginVerify: $('login-verify'), loginNotes: $('login-notes'),
    loginOutputBox: $('login-output-box'), loginOutput: $('login-output'), loginDone: $('login-done'),
    loginSummary: $('login-summary'), methodWhy: $('method-why'),
  };

  let lastStatus = null;
  let statusPromise = null;
  let statusSeq = 0;
  let testing = false;

  const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const timeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
  const relFmt = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

  function setBadge(node, textNode, kind, text) {
    node.className = 'badge badge-' + kind;
    textNode.textContent = text;
  }

  function setBusy(btn, busy) {
    btn.setAttribute('aria-busy', busy ? 'true' : 'false');
    btn.disabled = busy;
  }

  function relative(ms) {
    const diff = ms - Date.now();
    const abs = Math.abs(diff);
    const units = [['day', 864e5], ['hour', 36e5], ['minute', 6e4]];
    for (const [unit, size] of units) {
      if (abs >= size) return relFmt.format(Math.round(diff / size), unit);
    }
    return relFmt.format(Math.round(diff / 1000), 'second');
  }

  function shellQuote(s) {
    return /^[A-Za-z0-9_\/.~:@%+=,-]+$/.test(s) ? s : '"' + s.replace(/(["\\$`])/g, '\\$1') + '"';
  }

  async function readJSON(res) {
    try { return await res.json(); } catch (_) { return null; }
  }

  // ---- status (Verify) ----------------------------------------------------

  function verify() {
    if (statusPromise) return statusPromise;
    setBusy(el.verify, true);
    el.status.dataset.state = 'loading';
    el.status.setAttribute('aria-busy', 'true');
    setBadge(el.badge, el.badgeText, 'unknown badge-busy', 'Checking…');
    statusPromise = (async () => {
      try {
        const res = await fetch(STATUS, { headers: { Accept: 'application/json' }, cache: 'no-store' });
        const body = await readJSON(res);
        if (!res.ok || !body || body.error) {
          throw new Error((body && body.error) || 'HTTP ' + res.status);
        }
        lastStatus = body;
        suggestMethod(body);
        renderStatus(body);
      } catch (err) {
        renderStatusFailure(err);
      } finally {
        setBusy(el.verify, false);
        el.status.setAttribute('aria-busy', 'false');
        el.status.dataset.state = 'done';
        el.status.dataset.seq = String(++statusSeq);
        statusPromise = null;
      }
    })();
    return statusPromise;
  }

  function credText(s) {
    switch (s.credentialType) {
      case 'oauth': return 'ChatGPT sign-in (OAuth)' + (s.account ? ' · account ' + s.account : '');
      case 'api': return 'OpenAI API key — not a ChatGPT subscription';
      case '': case undefined: case null: return 'None';
      default: return s.credentialType;
    }
  }

  function renderStatus(s) {
    el.placeholder.hidden = true;
    el.facts.hidden = false;
    setBadge(el.badge, el.badgeText, s.connected ? 'ok' : 'fail', s.connected ? 'Connected' : 'Not connected');

    const conn = $('f-connected');
    conn.textContent = s.connected ? 'Connected' : 'Not connected';
    conn.className = s.connected ? 'state-ok' : 'state-fail';
    $('f-version').textContent = !s.opencodeFound ? 'Not installed'
      : (s.opencodeVersion ? s.opencodeVersion : 'Installed (version unknown)') + (s.headless ? ' · headless session' : '');
    $('f-cred').textContent = credText(s);
    const expRow = $('f-expires-row');
    if (typeof s.expires === 'number') {
      expRow.hidden = false;
      const past = s.expires < Date.now();
      $('f-expires').textContent = dateFmt.format(new Date(s.expires)) + ' (' + relative(s.expires) + ')' +
        (past ? ' — OpenCode refreshes it on the next request' : '');
    } else {
      expRow.hidden = true;
    }
    $('f-auth').textContent = s.authPath || '—';
    renderLastTest(s.lastTest);
    $('f-checked').textContent = s.checkedAt ? timeFmt.format(new Date(s.checkedAt)) : '—';

    if (!s.connected && s.lastError) {
      el.errorBox.hidden = false;
      el.lastError.textContent = s.lastError;
      el.nextBox.hidden = !s.next;
      el.nextCmd.textContent = s.next || '';
      // Copy only the command, not the explanation after it ("cmd  (why)").
      $('next-copy').dataset.copy = (s.next || '').split(/\s{2,}\(/)[0].trim();
    } else {
      el.errorBox.hidden = true;
    }

    el.notes.replaceChildren(...(s.notes || []).map((n) => {
      const li = document.createElement('li');
      li.textContent = n;
      return li;
    }));
    el.notes.hidden = !(s.notes && s.notes.length);

    const models = s.models || [];
    el.modelsBox.hidden = models.length === 0;
    el.modelsCount.textContent = models.length ? '(' + models.length + ')' : '';
    el.models.replaceChildren(...models.map((m) => {
      const li = document.createElement('li');
      li.textContent = m;
      if (m === s.testModel) li.className = 'test-model';
      return li;
    }));

    if (s.logDir) $('t-logdir').textContent = s.logDir;
    if (s.authPath) {
      $('t-authpath').textContent = s.authPath;
      $('t-backup').textContent = 'cp ' + shellQuote(s.authPath) + ' ' + shellQuote(s.authPath + '.bak');
    }
    updateConnectSteps();
  }

  function renderLastTest(t) {
    const row = $('f-last-row');
    if (!t || !t.result) { row.hidden = true; return; }
    row.hidden = false;
    const when = t.time ? dateFmt.format(new Date(t.time)) : '';
    $('f-last').textContent = [t.result, t.model, when].filter(Boolean).join(' · ');
  }

  function renderStatusFailure(err) {
    setBadge(el.badge, el.badgeText, 'fail', 'Unknown');
    el.placeholder.hidden = false;
    el.placeholder.textContent = 'Could not check the connection: ' + err.message + '. Is heidi serve still running?';
    el.facts.hidden = true;
    el.errorBox.hidden = true;
    el.modelsBox.hidden = true;
    el.notes.hidden = true;
  }

  // ---- test run (Test) ----------------------------------------------------

  async function runTest() {
    if (testing) return;
    testing = true;
    setBusy(el.test, true);
    el.testResult.dataset.state = 'running';
    el.testResult.setAttribute('aria-busy', 'true');
    el.testIdle.hidden = true;
    el.testDone.hidden = true;
    el.testRunning.hidden = false;
    el.testBadge.hidden = false;
    setBadge(el.testBadge, el.testBadgeText, 'unknown badge-busy', 'Running');
    let body = null;
    let status = 0;
    try {
      const res = await fetch(TEST, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Heidi-Token': token },
        body: '{}',
        cache: 'no-store',
      });
      status = res.status;
      body = await readJSON(res);
      if (!body) throw new Error('HTTP ' + res.status);
    } catch (err) {
      body = { pass: false, error: 'Could not reach heidi serve: ' + err.message };
    } finally {
      testing = false;
      setBusy(el.test, false);
      el.testRunning.hidden = true;
      el.testResult.setAttribute('aria-busy', 'false');
    }
    renderTest(body, status);
  }

  function renderTest(r, status) {
    el.testDone.hidden = false;
    const busy = status === 409;
    const pass = !!r.pass;
    el.testResult.dataset.state = pass ? 'pass' : (busy ? 'busy' : 'fail');
    setBadge(el.testBadge, el.testBadgeText, pass ? 'ok' : (busy ? 'unknown' : 'fail'), pass ? 'PASS' : (busy ? 'Busy' : 'FAIL'));

    el.testSummary.replaceChildren();
    if (!busy) {
      const strong = document.createElement('strong');
      strong.textContent = pass ? 'PASS' : 'FAIL';
      strong.className = pass ? 'state-ok' : 'state-fail';
      const parts = [];
      if (r.model) parts.push(r.model);
      if (typeof r.durationMs === 'number' && (r.model || r.durationMs > 0)) parts.push(formatDuration(r.durationMs));
      el.testSummary.append(strong, document.createTextNode(parts.length ? '  ·  ' + parts.join('  ·  ') : ''));
    }
    const note = $('test-note');
    note.hidden = !r.note;
    note.textContent = r.note ? 'OpenAI ' + r.note : '';
    el.testError.hidden = !r.error;
    el.testError.textContent = r.error || '';
    const hints = r.hints || [];
    el.testHints.hidden = hints.length === 0;
    el.testHints.replaceChildren(...hints.map((h) => {
      const li = document.createElement('li');
      li.textContent = h;
      return li;
    }));
    el.testTail.textContent = r.run_output_tail || '';
    $('test-output').hidden = !r.run_output_tail && r.step === 'Models';
    if (!busy && r.model) {
      renderLastTest({ result: pass ? 'PASS' : 'FAIL', model: r.model, time: new Date().toISOString() });
    }
  }

  function formatDuration(ms) {
    return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
  }

  // ---- Connect (the one button) ---------------------------------------------

  let events = null;
  const stepRows = {};

  function method() {
    const m = document.querySelector('input[name="method"]:checked');
    return m ? m.value : '';
  }

  function suggestMethod(s) {
    if (!s || events) return;
    const headless = document.querySelector('input[name="method"][value="headless"]');
    if (s.headless) {
      headless.checked = true;
      el.methodWhy.hidden = false;
      el.methodWhy.textContent = 'This looks like a headless session: a browser here cannot reach OpenCode’s sign-in callback, so a one-time code is suggested.';
    }
  }

  function resetLogin() {
    el.loginSteps.textContent = '';
    for (const k of Object.keys(stepRows)) delete stepRows[k];
    el.loginURLBox.hidden = true;
    el.loginCodeBox.hidden = true;
    el.loginNotes.hidden = true;
    el.loginNotes.textContent = '';
    el.loginOutputBox.hidden = true;
    el.loginOutput.textContent = '';
    el.loginDone.hidden = true;
    el.loginCancel.hidden = false;
    el.loginCard.dataset.state = 'running';
  }

  function onLoginEvent(e) {
    switch (e.type) {
      case 'step': {
        if (e.step === 'Summary') break;
        let li = stepRows[e.step];
        if (!li) {
          li = document.createElement('li');
          li.innerHTML = '<span class="login-step-name"></span> <span class="login-step-status"></span> <span class="login-step-detail muted"></span>';
          li.querySelector('.login-step-name').textContent = e.step;
          stepRows[e.step] = li;
          el.loginSteps.appendChild(li);
        }
        li.dataset.status = e.status;
        li.querySelector('.login-step-status').textContent = e.status;
        if (e.text) li.querySelector('.login-step-detail').textContent = '— ' + e.text;
        if (e.step === 'Login' && e.status !== 'running') {
          el.loginURLBox.hidden = true;
          el.loginCodeBox.hidden = true;
        }
        break;
      }
      case 'url':
        el.loginURL.href = e.url;
        el.loginURLBox.hidden = false;
        el.loginURL.focus();
        break;
      case 'code':
        el.loginCode.textContent = e.code;
        el.loginVerify.href = e.url;
        el.loginVerify.textContent = e.url;
        if (e.qr && e.qr.startsWith('data:image/png;base64,')) {
          $('login-qr').src = e.qr;
          $('login-qr').hidden = false;
        }
        el.loginCodeBox.hidden = false;
        break;
      case 'note':
      case 'trying': {
        const li = document.createElement('li');
        li.textContent = e.text;
        el.loginNotes.appendChild(li);
        el.loginNotes.hidden = false;
        break;
      }
      case 'output':
        el.loginOutput.textContent += e.text + '\n';
        el.loginOutputBox.hidden = false;
        break;
      case 'done':
        el.loginSummary.textContent = (e.summary || []).join('\n');
        el.loginDone.hidden = false;
        el.loginURLBox.hidden = true;
        el.loginCodeBox.hidden = true;
        el.loginCancel.hidden = true;
        el.loginCard.dataset.state = e.ok ? 'ok' : 'fail';
        break;
    }
  }

  function follow() {
    if (events) events.close();
    events = new EventSource(LOGIN + '/events');
    events.onmessage = (m) => {
      let e;
      try { e = JSON.parse(m.data); } catch (_) { return; }
      onLoginEvent(e);
      if (e.type === 'done') {
        events.close();
        events = null;
        setBusy(el.connect, false);
        verify();
      }
    };
    events.onerror = () => {
      if (!events) return;
      events.close();
      events = null;
      setBusy(el.connect, false);
      el.loginSummary.textContent = 'Lost the connection to heidi serve. Is it still running?';
      el.loginDone.hidden = false;
    };
  }

  async function connect() {
    setBusy(el.connect, true);
    resetLogin();
    el.loginCard.hidden = false;
    let res;
    try {
      res = await fetch(LOGIN, {
        method: 'POST', cache: 'no-store',
        headers: { 'Content-Type': 'application/json', 'X-Heidi-Token': token },
        body: JSON.stringify({ method: method() }),
      });
    } catch (err) {
      setBusy(el.connect, false);
      el.loginSummary.textContent = 'Could not start the login: ' + err.message;
      el.loginDone.hidden = false;
      return;
    }
    if (res.status !== 202 && res.status !== 409) {
      const body = await readJSON(res);
      setBusy(el.connect, false);
      el.loginSummary.textContent = 'Could not start the login: ' + ((body && body.error) || 'HTTP ' + res.status);
      el.loginDone.hidden = false;
      return;
    }
    follow(); // 409: a login already runs; show it
  }

  async function cancelLogin() {
    await fetch(LOGIN, { method: 'DELETE', cache: 'no-store', headers: { 'X-Heidi-Token': token } }).catch(() => {});
  }

  // ---- Connect dialog (a terminal instead) -----------------------------------

  function updateConnectSteps() {
    const s = lastStatus;
    $('step-install').hidden = !s || s.opencodeFound;
    $('step-plugin').hidden = !s || !s.needsPlugin;
    if (s && s.needsPlugin && s.opencodeVersion) {
      $('plugin-why').textContent = '(OpenCode ' + s.opencodeVersion + ' is older than 1.1.11)';
    }
  }

  function openDialog() {
    updateConnectSteps();
    if (typeof el.dialog.showModal === 'function') {
      el.dialog.showModal();
    } else {
      el.dialog.setAttribute('open', '');
    }
    if (!lastStatus) verify().then(updateConnectSteps);
  }

  function closeDialog() {
    if (typeof el.dialog.close === 'function') el.dialog.close();
    else el.dialog.removeAttribute('open');
  }

  // ---- copy buttons -------------------------------------------------------

  async function copyText(text, near) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch (_) { /* fall back below */ }
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'sr-only';
    (near.closest('dialog') || document.body).appendChild(ta);
    ta.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
    ta.remove();
    return ok;
  }

  function selectText(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  async function onCopy(btn) {
    const src = btn.dataset.copyFrom ? $(btn.dataset.copyFrom) : null;
    const text = btn.dataset.copy || (src ? src.textContent : '');
    if (!text) return;
    const ok = await copyText(text, btn);
    btn.textContent = ok ? 'Copied' : 'Select';
    btn.classList.toggle('copied', ok);
    el.live.textContent = ok ? 'Copied: ' + text : 'Copy is blocked here: the command is selected, press Ctrl+C';
    if (!ok) selectText(src || btn.parentElement.querySelector('code'));
    clearTimeout(btn.resetTimer);
    btn.resetTimer = setTimeout(() => {
      btn.textContent = 'Copy';
      btn.classList.remove('copied');
    }, 2000);
  }

  // ---- wiring -------------------------------------------------------------

  el.verify.addEventListener('click', () => { verify(); });
  el.test.addEventListener('click', () => { runTest(); });
  el.connect.addEventListener('click', () => { connect(); });
  el.loginCancel.addEventListener('click', () => { cancelLogin(); });
  el.terminal.addEventListener('click', openDialog);
  $('dlg-close').addEventListener('click', closeDialog);
  $('dlg-done').addEventListener('click', closeDialog);
  el.dialog.addEventListener('click', (ev) => {
    if (ev.target !== el.dialog) return;
    const r = el.dialog.getBoundingClientRect();
    const outside = ev.clientX < r.left || ev.clientX > r.right || ev.clientY < r.top || ev.clientY > r.bottom;
    if (outside) closeDialog(); // a click on the backdrop
  });
  el.dialog.addEventListener('close', () => el.terminal.focus());
  document.addEventListener('click', (ev) => {
    const btn = ev.target.closest('button.copy');
    if (btn) onCopy(btn);
  });

  verify();
})();
