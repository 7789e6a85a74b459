// Doozer's web view: the live tree of one subtree, the cluster, and compare-and-set editing.
// The contract is the HTTP API (API.md). Every value from the node is inserted with textContent, never as HTML.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const el = {
    tree: $('tree'), empty: $('empty'), notice: $('notice'), rev: $('rev'), status: $('status'), crumbs: $('crumbs'),
    add: $('add'), clusterName: $('cluster-name'), clusterBody: document.querySelector('#cluster tbody'),
    editor: $('editor'), editorForm: $('editor-form'), editorTitle: $('editor-title'), editorCas: $('editor-cas'),
    editorPath: $('editor-path'), editorValue: $('editor-value'), editorValueLabel: $('editor-value-label'),
    editorSave: $('editor-save'), editorRetry: $('editor-retry'), editorCancel: $('editor-cancel'),
    editorError: $('editor-error'), conflict: $('conflict'), conflictText: $('conflict-text'), conflictValue: $('conflict-value'),
    login: $('login'), loginForm: $('login-form'), loginSecret: $('login-secret'), loginError: $('login-error'),
  };

  // Chromium's EventSource waits this long before reconnecting when the server sends no `retry:` (Doozer sends none).
  const nativeRetrySeconds = 3;
  const previewChars = 2000;
  const previewBytes = 32;
  const flashMs = 2000;
  // The node sends a progress event on a quiet stream at least this often (?progress=): the revision shown keeps up
  // with writes outside the subtree, and a stream silent for several periods is a dead connection.
  const progressSeconds = 5;
  const silentMs = 4 * progressSeconds * 1000;

  const state = {
    base: '/',            // the subtree shown: "/" or "/a/b"
    files: new Map(),     // path -> { rev, text (string or null), bytes (Uint8Array or null) }
    dirs: new Map(),      // directory path -> { li, ul }
    rev: null,
    es: null,             // the one EventSource
    lastId: null,         // the last revision the watch has fully delivered (its last event id)
    generation: 0,        // bumped by every load, so that answers to an older load are dropped
    timers: [],
    secret: sessionStorage.getItem('doozer.secret'),
    asking: false,
    loads: 0,
    heardAt: 0,           // when the watch last said anything (an event or a progress)
  };

  class SignedOut extends Error {}

  // ---- HTTP -------------------------------------------------------------------------------------------------

  async function api(url, init = {}) {
    const headers = new Headers(init.headers || {});
    if (state.secret) headers.set('Authorization', 'Bearer ' + state.secret);
    const res = await fetch(url, { ...init, headers, cache: 'no-store' });
    if (res.status === 401) {
      askSecret(state.secret ? 'The secret was not accepted.' : null);
      throw new SignedOut();
    }
    return res;
  }

  async function problemOf(res) {
    try {
      const p = await res.json();
      return { status: res.status, type: p.type || '', title: p.title || res.statusText, detail: p.detail || '', currentRev: p.currentRev };
    } catch {
      return { status: res.status, type: '', title: res.statusText || String(res.status), detail: '' };
    }
  }

  const describe = (p) => `${p.status} ${p.title}${p.detail ? ': ' + p.detail : ''}`;
  const treeUrl = (path) => '/tree' + path;
  const globOf = (base) => (base === '/' ? '/**' : base + '/**');
  const etagRev = (res) => Number((res.headers.get('ETag') || '').replace(/"/g, '')) || 0;

  function b64ToBytes(b64) {
    const raw = atob(b64);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
  function decode(bytes) {
    try { return strictUtf8.decode(bytes); } catch { return null; }
  }

  // ---- Status, revision, notices ----------------------------------------------------------------------------

  function setStatus(kind, text) {
    el.status.dataset.state = kind;
    el.status.textContent = text || kind;
  }

  function setRev(rev) {
    if (state.rev !== null && rev < state.rev) return;
    state.rev = rev;
    el.rev.textContent = String(rev);
    el.rev.dataset.rev = String(rev);
  }

  function notice(text) {
    el.notice.textContent = text || '';
    el.notice.hidden = !text;
  }

  function clearTimers() {
    for (const t of state.timers) clearTimeout(t);
    state.timers = [];
  }

  // ---- The tree in the DOM ----------------------------------------------------------------------------------

  const parentOf = (path) => { const i = path.lastIndexOf('/'); return i <= 0 ? '/' : path.slice(0, i); };
  const nameOf = (path) => path.slice(path.lastIndexOf('/') + 1);

  // Entries of a directory in ordinal order of their names, directories and files together, as the API orders them.
  function insertSorted(ul, li, name) {
    li.dataset.name = name;
    for (const child of ul.children) {
      if (child.dataset.name > name) { ul.insertBefore(li, child); return; }
    }
    ul.appendChild(li);
  }

  function ensureDir(path) {
    if (path === state.base) return { ul: el.tree };
    const known = state.dirs.get(path);
    if (known) return known;
    const parent = ensureDir(parentOf(path));
    const li = document.createElement('li');
    li.className = 'dir';
    li.dataset.path = path;
    const details = document.createElement('details');
    details.open = true;
    const summary = document.createElement('summary');
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = nameOf(path) + '/';
    const open = document.createElement('a');
    open.className = 'open';
    open.href = '#' + path;
    open.textContent = 'open';
    open.setAttribute('aria-label', 'Show only ' + path);
    summary.append(name, ' ', open);
    const ul = document.createElement('ul');
    details.append(summary, ul);
    li.appendChild(details);
    insertSorted(parent.ul, li, nameOf(path));
    const dir = { li, ul };
    state.dirs.set(path, dir);
    return dir;
  }

  function hex(bytes) {
    const parts = [];
    for (let i = 0; i < Math.min(bytes.length, previewBytes); i++) parts.push(bytes[i].toString(16).padStart(2, '0'));
    return parts.join(' ') + (bytes.length > previewBytes ? ' …' : '');
  }

  function renderValue(span, file) {
    span.classList.remove('binary', 'blank');
    if (file.text === null) {
      span.classList.add('binary');
      span.textContent = `binary, ${file.bytes.length} bytes: ${hex(file.bytes)}`;
    } else if (file.text === '') {
      span.classList.add('blank');
      span.textContent = '(empty)';
    } else {
      span.textContent = file.text.length > previewChars ? file.text.slice(0, previewChars) + ' …' : file.text;
    }
  }

  function button(text, label, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  }

  // The cluster's own files under /ctl are read-only to clients except the voter slots /ctl/cal/N (API.md 1): the
  // page offers no Edit or Delete that the node would refuse with 403.
  function clientMayWrite(path) {
    return !(path === '/ctl' || path.startsWith('/ctl/')) || /^\/ctl\/cal\/[0-9]+$/.test(path);
  }

  function fileRow(path) {
    const li = document.createElement('li');
    li.className = 'file';
    li.dataset.path = path;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = nameOf(path);
    const rev = document.createElement('span');
    rev.className = 'frev';
    const value = document.createElement('span');
    value.className = 'value';
    const ops = document.createElement('span');
    ops.className = 'ops';
    if (clientMayWrite(path))
      ops.append(
        button('Edit', 'Edit ' + path, () => openEditor('edit', path)),
        button('Delete', 'Delete ' + path, () => openEditor('delete', path)));
    li.append(name, rev, value, ops);
    return li;
  }

  function flash(li) {
    li.classList.remove('flash');
    void li.offsetWidth; // restart the animation when a file changes again while it still flashes
    li.classList.add('flash');
    clearTimeout(li.flashTimer);
    li.flashTimer = setTimeout(() => li.classList.remove('flash'), flashMs);
  }

  function rowOf(path) {
    return el.tree.querySelector(`li.file[data-path="${CSS.escape(path)}"]`);
  }

  function setFile(path, file, changed) {
    state.files.set(path, file);
    let li = rowOf(path);
    if (!li) {
      li = fileRow(path);
      insertSorted(ensureDir(parentOf(path)).ul, li, nameOf(path));
    }
    li.dataset.rev = String(file.rev);
    li.querySelector('.frev').textContent = 'rev ' + file.rev;
    renderValue(li.querySelector('.value'), file);
    if (changed) flash(li);
    el.empty.hidden = true;
  }

  // A deleted file disappears, and so does every directory it leaves empty (directories are implicit).
  function removeFile(path) {
    state.files.delete(path);
    const li = rowOf(path);
    if (li) li.remove();
    for (let dir = parentOf(path); dir !== state.base && dir.length > state.base.length; dir = parentOf(dir)) {
      const d = state.dirs.get(dir);
      if (!d || d.ul.children.length > 0) break;
      d.li.remove();
      state.dirs.delete(dir);
    }
    el.empty.hidden = state.files.size > 0;
  }

  function renderCrumbs() {
    el.crumbs.textContent = '';
    const link = (href, text) => { const a = document.createElement('a'); a.href = href; a.textContent = text; return a; };
    el.crumbs.appendChild(link('#/', '/'));
    let path = '';
    const names = state.base === '/' ? [] : state.base.slice(1).split('/');
    names.forEach((name, i) => {
      path += '/' + name;
      if (i > 0) el.crumbs.append('/');
      const a = link('#' + path, name);
      if (i === names.length - 1) a.setAttribute('aria-current', 'page');
      el.crumbs.appendChild(a);
    });
  }

  // ---- Loading and watching ---------------------------------------------------------------------------------

  function baseFromHash() {
    const h = decodeURIComponent(location.hash.replace(/^#/, '')) || '/';
    const path = ('/' + h).replace(/\/+/g, '/').replace(/\/$/, '');
    return path === '' ? '/' : path;
  }

  function closeWatch() {
    if (state.es) state.es.close();
    state.es = null;
    clearTimers();
  }

  // Reads the whole subtree at one revision (following `next`, pinned to the first page's rev), then watches from
  // the revision after it. Called on start, on a new subtree, on a new secret and after `too-late`; never on reconnect.
  async function load() {
    const generation = ++state.generation;
    closeWatch();
    state.base = baseFromHash();
    renderCrumbs();
    setStatus('connecting');
    notice('');
    const glob = globOf(state.base);
    const files = [];
    let rev = null;
    try {
      let after = null;
      do {
        let url = '/walk?glob=' + encodeURIComponent(glob);
        if (rev !== null) url += '&rev=' + rev;
        if (after !== null) url += '&after=' + encodeURIComponent(after);
        const res = await api(url);
        if (!res.ok) throw new Error('Reading the tree failed: ' + describe(await problemOf(res)));
        const page = await res.json();
        rev = page.rev;
        files.push(...page.files);
        after = page.next;
      } while (after !== null && after !== undefined);
    } catch (e) {
      if (generation !== state.generation || e instanceof SignedOut) return;
      setStatus('error', 'offline');
      notice(e instanceof TypeError ? 'The node cannot be reached; retrying.' : e.message);
      state.timers.push(setTimeout(() => { if (generation === state.generation) load(); }, 3000));
      return;
    }
    if (generation !== state.generation) return;

    state.files.clear();
    state.dirs.clear();
    el.tree.textContent = '';
    state.rev = null;
    for (const f of files) {
      const bytes = b64ToBytes(f.value);
      setFile(f.path, { rev: f.rev, text: decode(bytes), bytes }, false);
    }
    el.empty.hidden = files.length > 0;
    setRev(rev);
    state.loads++;
    document.body.dataset.loads = String(state.loads);
    state.lastId = rev;
    watch(rev + 1);
    refreshCluster();
  }

  function watchUrl(from) {
    let url = '/watch?glob=' + encodeURIComponent(globOf(state.base)) + '&encoding=utf8&progress=' + progressSeconds + '&rev=' + from;
    if (state.secret) url += '&access_token=' + encodeURIComponent(state.secret);
    return url;
  }

  function watch(from) {
    const generation = state.generation;
    const es = new EventSource(watchUrl(from));
    state.es = es;
    const mine = () => state.es === es && generation === state.generation;
    const seen = (e) => {
      state.heardAt = Date.now();
      if (e.lastEventId) state.lastId = Number(e.lastEventId);
    };

    state.heardAt = Date.now();
    es.onopen = () => { if (mine()) { clearTimers(); state.heardAt = Date.now(); setStatus('live'); } };
    es.addEventListener('set', (e) => {
      if (!mine()) return;
      const ev = JSON.parse(e.data);
      onSet(ev);
      setRev(ev.rev);
      seen(e);
    });
    es.addEventListener('del', (e) => {
      if (!mine()) return;
      const ev = JSON.parse(e.data);
      removeFile(ev.path);
      setRev(ev.rev);
      seen(e);
    });
    es.addEventListener('progress', (e) => {
      if (!mine()) return;
      setRev(JSON.parse(e.data).rev);
      seen(e);
    });
    // The stream fell behind the node's history window: events were not skipped, the stream ended. Read afresh.
    es.addEventListener('too-late', () => { if (mine()) load(); });
    es.onerror = () => {
      if (!mine()) return;
      if (es.readyState === EventSource.CONNECTING) {
        // The browser reconnects by itself, sending Last-Event-ID: the stream continues after the last revision seen.
        countdown(nativeRetrySeconds);
      } else {
        // Closed for good (an HTTP error rather than a lost connection): find out why, then resume or reload.
        closedWatch(generation);
      }
    };
  }

  function countdown(seconds, then) {
    clearTimers();
    const generation = state.generation;
    const tick = (left) => {
      if (generation !== state.generation) return;
      if (left <= 0) {
        setStatus('reconnecting', 'reconnecting…');
        if (then) then();
        return;
      }
      setStatus('reconnecting', `reconnecting in ${left}s`);
      state.timers.push(setTimeout(() => tick(left - 1), 1000));
    };
    tick(seconds);
  }

  let backoff = 1;
  async function closedWatch(generation) {
    state.es.close();
    const from = state.lastId + 1;
    try {
      const probe = new AbortController();
      const res = await api(watchUrl(from), { signal: probe.signal, headers: { Accept: 'text/event-stream' } });
      probe.abort();
      if (generation !== state.generation) return;
      if (res.status === 410) { load(); return; }
      if (res.ok) backoff = 1;
    } catch (e) {
      if (e instanceof SignedOut) { setStatus('error', 'needs the secret'); return; }
    }
    if (generation !== state.generation) return;
    backoff = Math.min(backoff * 2, 30);
    countdown(backoff, () => { if (generation === state.generation) watch(from); });
  }

  // Watch values are UTF-8 text, with U+FFFD where the bytes were not UTF-8: for those, read the bytes themselves.
  function onSet(ev) {
    const text = ev.value ?? '';
    setFile(ev.path, { rev: ev.rev, text, bytes: null }, true);
    if (text.includes('\uFFFD')) refineBinary(ev.path, ev.rev);
  }

  async function refineBinary(path, rev) {
    try {
      const res = await api(treeUrl(path) + '?rev=' + rev);
      if (!res.ok) return;
      const bytes = new Uint8Array(await res.arrayBuffer());
      const file = state.files.get(path);
      if (file && file.rev === rev) setFile(path, { rev, text: decode(bytes), bytes }, false);
    } catch { /* the text with U+FFFD stays */ }
  }

  // ---- Cluster ----------------------------------------------------------------------------------------------

  async function refreshCluster() {
    try {
      const res = await api('/cluster');
      if (!res.ok) return;
      const c = await res.json();
      el.clusterName.textContent = c.name ? `“${c.name}”` : '';
      el.clusterBody.textContent = '';
      for (const m of c.members || []) {
        const tr = document.createElement('tr');
        const cell = (text, cls) => { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; };
        const node = cell(m.name || m.id);
        node.title = m.id;
        if (m.id === c.self) node.append(' (this node)');
        if (m.url) {
          const url = document.createElement('span');
          url.className = 'url';
          url.textContent = m.url;
          node.append(url);
        }
        const role = cell(m.role);
        if (m.id === c.leader) {
          const badge = document.createElement('span');
          badge.className = 'leader';
          badge.textContent = 'leader';
          role.append(' ', badge);
        }
        cell(String(m.applied ?? ''), 'num');
        el.clusterBody.appendChild(tr);
      }
    } catch { /* shown again at the next refresh */ }
  }

  // ---- Editing: every write is a compare-and-set on the revision the user saw ---------------------------------

  const editor = { mode: 'edit', path: '', rev: 0 };

  function showEditorError(text) {
    el.editorError.textContent = text || '';
    el.editorError.hidden = !text;
  }

  function casText() {
    if (editor.mode === 'add') return 'Creates the file only if it does not exist yet.';
    return `Only if ${editor.path} is still at rev ${editor.rev}.`;
  }

  function openEditor(mode, path) {
    const file = path ? state.files.get(path) : null;
    editor.mode = mode;
    editor.path = path || '';
    editor.rev = file ? file.rev : 0;
    el.editorTitle.textContent = mode === 'add' ? 'Add a file' : mode === 'edit' ? 'Edit ' + path : 'Delete ' + path;
    el.editorPath.value = mode === 'add' ? (state.base === '/' ? '/' : state.base + '/') : path;
    el.editorPath.readOnly = mode !== 'add';
    const binary = file && file.text === null;
    el.editorValue.value = file ? (binary ? '' : file.text) : '';
    el.editorValue.readOnly = mode === 'delete' || binary;
    el.editorValue.placeholder = binary ? 'binary value: write it with curl' : '';
    el.editorValue.hidden = el.editorValueLabel.hidden = mode === 'delete';
    el.editorSave.textContent = mode === 'delete' ? 'Delete' : 'Save';
    el.editorSave.disabled = mode === 'edit' && binary;
    el.editorCas.textContent = casText();
    el.conflict.hidden = true;
    el.editorRetry.hidden = true;
    el.editorSave.hidden = false;
    showEditorError('');
    el.editor.showModal();
    (mode === 'add' ? el.editorPath : mode === 'edit' ? el.editorValue : el.editorSave).focus();
  }

  async function save() {
    const path = editor.mode === 'add' ? el.editorPath.value.trim() : editor.path;
    if (!/^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(path)) {
      showEditorError('A path is /name/name…, names made of A-Z a-z 0-9 . _ -');
      return;
    }
    showEditorError('');
    el.editorSave.disabled = true;
    try {
      let res;
      if (editor.mode === 'delete') {
        res = await api(treeUrl(path), { method: 'DELETE', headers: { 'If-Match': `"${editor.rev}"` } });
      } else {
        const headers = editor.mode === 'add' ? { 'If-None-Match': '*' } : { 'If-Match': `"${editor.rev}"` };
        res = await api(treeUrl(path), { method: 'PUT', headers, body: el.editorValue.value });
      }
      if (res.ok) { el.editor.close(); return; }
      const problem = await problemOf(res);
      if (res.status === 412) await showConflict(path, problem);
      else if (res.status === 404 && editor.mode === 'delete') showEditorError(`${path} no longer exists.`);
      else showEditorError(describe(problem));
    } catch (e) {
      if (!(e instanceof SignedOut)) showEditorError('The node cannot be reached: ' + e.message);
    } finally {
      el.editorSave.disabled = false;
    }
  }

  // The write was refused because the file changed since the user saw it: show what it holds now, and let the user
  // decide. Retrying is again a compare-and-set, on the revision just shown.
  async function showConflict(path, problem) {
    el.conflict.hidden = false;
    el.conflictValue.textContent = '';
    el.conflictValue.classList.remove('binary');
    let current = null;
    const res = await api(treeUrl(path));
    if (res.ok) {
      const bytes = new Uint8Array(await res.arrayBuffer());
      current = { rev: etagRev(res), text: decode(bytes), bytes };
    } else if (res.status !== 404) {
      showEditorError(describe(await problemOf(res)));
    }
    const seen = editor.mode === 'add' ? 'did not exist' : `was at rev ${editor.rev}`;
    if (current) {
      el.conflictText.textContent = `Conflict: ${path} ${seen} when you opened it; it is now at rev ${current.rev}, with this value:`;
      if (current.text === null) {
        el.conflictValue.classList.add('binary');
        el.conflictValue.textContent = `binary, ${current.bytes.length} bytes: ${hex(current.bytes)}`;
      } else {
        el.conflictValue.textContent = current.text;
      }
      editor.rev = current.rev;
      editor.mode = editor.mode === 'add' ? 'edit' : editor.mode;
      el.editorRetry.textContent = editor.mode === 'delete' ? `Delete it at rev ${current.rev}` : `Save my value over rev ${current.rev}`;
    } else {
      el.conflictText.textContent = `Conflict: ${path} ${seen} when you opened it, and it has been deleted since (the node says rev ${problem.currentRev ?? 0}).`;
      if (editor.mode === 'delete') return;
      editor.mode = 'add';
      editor.rev = 0;
      el.editorRetry.textContent = 'Create it again with my value';
    }
    el.editorSave.hidden = true;
    el.editorRetry.hidden = false;
    el.editorCas.textContent = casText();
    el.editorRetry.focus();
  }

  el.editorForm.addEventListener('submit', (e) => { e.preventDefault(); save(); });
  el.editorRetry.addEventListener('click', () => { el.conflict.hidden = true; el.editorRetry.hidden = true; el.editorSave.hidden = false; save(); });
  el.editorCancel.addEventListener('click', () => el.editor.close());
  el.add.addEventListener('click', () => openEditor('add', null));

  // ---- The secret -------------------------------------------------------------------------------------------

  function askSecret(error) {
    if (state.asking) return;
    state.asking = true;
    state.generation++;
    closeWatch();
    setStatus('error', 'needs the secret');
    if (el.editor.open) el.editor.close();
    el.loginError.textContent = error || '';
    el.loginError.hidden = !error;
    el.loginSecret.value = '';
    el.login.showModal();
    el.loginSecret.focus();
  }

  el.loginForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const secret = el.loginSecret.value;
    const res = await fetch('/rev', { headers: { Authorization: 'Bearer ' + secret }, cache: 'no-store' }).catch(() => null);
    if (!res || res.status === 401) {
      el.loginError.textContent = res ? 'That secret was not accepted.' : 'The node cannot be reached.';
      el.loginError.hidden = false;
      return;
    }
    state.secret = secret;
    sessionStorage.setItem('doozer.secret', secret);
    state.asking = false;
    el.login.close();
    load();
  });
  el.login.addEventListener('cancel', (e) => e.preventDefault()); // nothing works without it

  // ---- Start ------------------------------------------------------------------------------------------------

  window.addEventListener('hashchange', () => { if (!state.asking) load(); });
  setInterval(() => { if (!state.asking && !document.hidden) refreshCluster(); }, 5000);
  // A connection that died without a word (a lost network path) never errors: resume it from the last event id.
  setInterval(() => {
    const es = state.es;
    if (es && es.readyState === EventSource.OPEN && Date.now() - state.heardAt > silentMs) {
      es.close();
      const generation = state.generation;
      countdown(1, () => { if (generation === state.generation) watch(state.lastId + 1); });
    }
  }, 1000);
  load();
})();
