// finops-lint playground: the linter compiled to WebAssembly, checking as you type.
//
// The editor is a <textarea> with transparent text over a <pre> "backdrop" that renders the same
// text with <mark> elements where findings are; both scroll together. Every string that comes from
// the linter or from the user is inserted as text (textContent / text nodes), never as HTML.

import init, { check, fix_all, hover, options } from './pkg/finops_lint_playground.js';

const $ = (id) => document.getElementById(id);

const source = $('source');
const highlights = $('highlights');
const gutter = $('gutter');
const findingsList = $('findings');
const statusBox = $('status');
const caretInfo = $('caret-info');
const hoverPanel = $('hover-panel');
const hoverBox = $('hover');
const tooltip = $('tooltip');
const toast = $('toast');
const examplesSelect = $('examples');

// [element id, key in the check request, key in the URL state, default value]
const FIELDS = [
  ['kind', 'kind', 'k', 'auto'],
  ['bucket', 'bucket', 'b', ''],
  ['account-id', 'account_id', 'a', ''],
  ['prefix', 'prefix', 'p', ''],
  ['export-name', 'export_name', 'n', ''],
  ['export-type', 'export_type', 'e', ''],
  ['scenario', 'scenario', 's', ''],
  ['platform', 'platform', 'f', ''],
];

const SEVERITY_RANK = { error: 3, warning: 2, info: 1 };
const SEVERITY_LABEL = { error: 'error', warning: 'warning', info: 'info' };

let findings = [];          // the last check's findings, sorted by position
let checkedText = null;     // the text those findings are for
let checkCount = 0;
let examples = [];
let suppressInput = false;  // set while the page itself edits the textarea
let lineStarts = [0];       // offsets at which each line of checkedText starts
let textNodeStarts = new Map(); // backdrop text node -> its offset in the text

// ---------------------------------------------------------------------------------------------
// Small helpers

function rank(severity) {
  return SEVERITY_RANK[severity] || 0;
}

function computeLineStarts(text) {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 0-based line of a UTF-16 offset. */
function lineOf(offset) {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Text with `code` spans, as DOM nodes (everything else stays plain text). */
function inlineCode(text) {
  const out = [];
  const re = /`([^`]+)`/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(document.createTextNode(text.slice(last, m.index)));
    out.push(el('code', {}, m[1]));
    last = re.lastIndex;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

/** Inline Markdown: `code`, **bold**, *emphasis*, [text](https://…); the rest is text. */
function inlineMarkdown(text) {
  const out = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)|(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(document.createTextNode(text.slice(last, m.index)));
    if (m[1] !== undefined) out.push(el('code', {}, m[1]));
    else if (m[2] !== undefined) out.push(el('strong', {}, ...inlineMarkdown(m[2])));
    else if (m[3] !== undefined) {
      out.push(el('a', { href: m[4], target: '_blank', rel: 'noopener noreferrer' }, m[3]));
    } else out.push(el('em', {}, m[5]));
    last = re.lastIndex;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

/** A small Markdown subset (paragraphs, line breaks, headings, lists, fenced code), as DOM. */
function renderMarkdown(markdown, container) {
  container.replaceChildren();
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let paragraph = null;
  let list = null;
  const close = () => {
    paragraph = null;
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = line.match(/^\s*(```+|~~~+)/);
    if (fence) {
      close();
      const body = [];
      for (i++; i < lines.length && !lines[i].trimStart().startsWith(fence[1]); i++) body.push(lines[i]);
      container.append(el('pre', {}, el('code', {}, body.join('\n'))));
      continue;
    }
    if (!line.trim()) {
      close();
      continue;
    }
    const heading = line.match(/^\s*#{1,6}\s+(.*)$/);
    if (heading) {
      close();
      container.append(el('p', { className: 'md-heading' }, el('strong', {}, ...inlineMarkdown(heading[1]))));
      continue;
    }
    const item = line.match(/^\s*(?:[-*+]|\d+\.)\s+(.*)$/);
    if (item) {
      paragraph = null;
      if (!list) {
        list = el('ul');
        container.append(list);
      }
      list.append(el('li', {}, ...inlineMarkdown(item[1])));
      continue;
    }
    if (/^\s*(---+|\*\*\*+)\s*$/.test(line)) {
      close();
      container.append(el('hr'));
      continue;
    }
    list = null;
    if (!paragraph) {
      paragraph = el('p');
      container.append(paragraph);
    } else {
      paragraph.append(el('br'));
    }
    paragraph.append(...inlineMarkdown(line.trim()));
  }
}

function showToast(message) {
  toast.textContent = message;
  toast.hidden = false;
  clearTimeout(showToast.timer);
  showToast.timer = setTimeout(() => {
    toast.hidden = true;
  }, 2200);
}

// ---------------------------------------------------------------------------------------------
// The check request and the URL state

function fieldValue(id) {
  return $(id).value;
}

function currentRequest() {
  const request = {};
  for (const [id, key] of FIELDS) request[key] = fieldValue(id).trim();
  if (!request.kind) request.kind = 'auto';
  return request;
}

function base64UrlEncode(string) {
  const bytes = new TextEncoder().encode(string);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64UrlDecode(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function stateHash() {
  const state = { t: source.value };
  for (const [id, , short, fallback] of FIELDS) {
    const value = fieldValue(id);
    if (value !== fallback) state[short] = value;
  }
  return '#s=' + base64UrlEncode(JSON.stringify(state));
}

/** The state in the URL, or null when the URL has none; throws when it cannot be read. */
function readHashState() {
  const match = location.hash.match(/^#s=([A-Za-z0-9_-]*)$/);
  if (!match) return null;
  const state = JSON.parse(base64UrlDecode(match[1]));
  if (!state || typeof state !== 'object') throw new Error('not an object');
  return state;
}

function applyState(state) {
  setSourceText(typeof state.t === 'string' ? state.t : '', { undoable: false });
  for (const [id, , short, fallback] of FIELDS) {
    setField(id, typeof state[short] === 'string' ? state[short] : fallback);
  }
}

function setField(id, value) {
  const field = $(id);
  if (field.tagName === 'SELECT' && value && ![...field.options].some((o) => o.value === value)) {
    // A link from a newer or older version: keep the value visible rather than silently dropping it.
    field.append(el('option', { value }, `${value} (unknown)`));
  }
  field.value = value;
}

// history.replaceState is rate-limited by browsers: write at most every 200 ms, and always the
// latest state.
let saveTimer = null;
let lastSave = 0;

function saveStateNow() {
  clearTimeout(saveTimer);
  saveTimer = null;
  delete document.body.dataset.urlPending;
  lastSave = performance.now();
  const hash = stateHash();
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function saveState() {
  if (saveTimer) return;
  const wait = 200 - (performance.now() - lastSave);
  if (wait <= 0) {
    saveStateNow();
  } else {
    document.body.dataset.urlPending = '1';
    saveTimer = setTimeout(saveStateNow, wait);
  }
}

// ---------------------------------------------------------------------------------------------
// Editing the textarea

/**
 * Replace the textarea's text, touching only the range that differs so that the browser's undo
 * history and the scroll position survive.
 */
function setSourceText(next, { undoable = true, caret = null } = {}) {
  const prev = source.value;
  if (prev !== next) {
    const scrollTop = source.scrollTop;
    const scrollLeft = source.scrollLeft;
    let start = 0;
    const max = Math.min(prev.length, next.length);
    while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
    let endPrev = prev.length;
    let endNext = next.length;
    while (endPrev > start && endNext > start && prev.charCodeAt(endPrev - 1) === next.charCodeAt(endNext - 1)) {
      endPrev--;
      endNext--;
    }
    // Never cut a surrogate pair in two.
    if (start > 0 && /[\uD800-\uDBFF]/.test(prev[start - 1])) start--;
    if (endPrev < prev.length && /[\uDC00-\uDFFF]/.test(prev[endPrev])) {
      endPrev++;
      endNext++;
    }
    const insert = next.slice(start, endNext);
    let done = false;
    if (undoable) {
      suppressInput = true;
      try {
        source.focus({ preventScroll: true });
        source.setSelectionRange(start, endPrev);
        done = insert
          ? document.execCommand('insertText', false, insert)
          : document.execCommand('delete', false);
      } catch {
        done = false;
      } finally {
        suppressInput = false;
      }
    }
    if (!done || source.value !== next) source.value = next;
    const at = caret ?? start + insert.length;
    source.setSelectionRange(at, at);
    source.scrollTop = scrollTop;
    source.scrollLeft = scrollLeft;
  }
}

function selectRange(from, to) {
  const text = source.value;
  from = Math.max(0, Math.min(from, text.length));
  to = Math.max(from, Math.min(to, text.length));
  source.focus({ preventScroll: true });
  source.setSelectionRange(from, to);
  // Bring the range into view.
  const style = getComputedStyle(source);
  const lineHeight = parseFloat(style.lineHeight) || 20;
  const padding = parseFloat(style.paddingTop) || 0;
  const line = computeLineStarts(text.slice(0, from)).length - 1;
  const top = padding + line * lineHeight;
  if (top < source.scrollTop || top + lineHeight > source.scrollTop + source.clientHeight) {
    source.scrollTop = Math.max(0, top - source.clientHeight / 3);
  }
  const column = from - text.lastIndexOf('\n', from - 1) - 1;
  if (column < 40) source.scrollLeft = 0;
  syncScroll();
  updateCaret();
}

function applyEdits(text, edits) {
  const sorted = [...edits].sort((a, b) => b.from - a.from || b.to - a.to);
  let out = text;
  for (const edit of sorted) out = out.slice(0, edit.from) + edit.replacement + out.slice(edit.to);
  return out;
}

function applyFix(finding) {
  if (source.value !== checkedText) runCheck();
  const fix = finding.fix;
  if (!fix || !fix.edits || !fix.edits.length) return;
  const before = source.value;
  const after = applyEdits(before, fix.edits);
  const first = Math.min(...fix.edits.map((e) => e.from));
  const delta = after.length - before.length;
  const lastEdit = Math.max(...fix.edits.map((e) => e.to)) + delta;
  setSourceText(after, { caret: Math.max(first, Math.min(lastEdit, after.length)) });
  afterChange();
  showToast(fix.message ? `Fixed: ${fix.message}` : `Fixed ${finding.code}`);
}

function fixAll() {
  let result;
  try {
    result = JSON.parse(fix_all(source.value, JSON.stringify(currentRequest())));
  } catch (error) {
    showToast(`Fix all failed: ${error.message || error}`);
    return;
  }
  if (!result || typeof result.text !== 'string') {
    showToast(result && result.error ? `Fix all: ${result.error}` : 'Fix all returned nothing');
    return;
  }
  if (result.applied > 0) {
    setSourceText(result.text);
    afterChange();
    showToast(`Applied ${result.applied} fix${result.applied === 1 ? '' : 'es'}`);
  } else {
    showToast('No safe fix to apply');
  }
}

// ---------------------------------------------------------------------------------------------
// Checking and rendering

function runCheck() {
  hideTooltip();
  const text = source.value;
  let result;
  try {
    result = JSON.parse(check(text, JSON.stringify(currentRequest())));
  } catch (error) {
    result = { ok: false, error: `internal error: ${error && error.message ? error.message : error}` };
  }
  checkedText = text;
  lineStarts = computeLineStarts(text);
  findings = result.ok && Array.isArray(result.findings) ? sortFindings(result.findings) : [];
  renderHighlights(text);
  renderGutter();
  renderFindings();
  renderStatus(result);
  updateCaret();
  checkCount += 1;
  document.body.dataset.checks = String(checkCount);
  return result;
}

function sortFindings(list) {
  return [...list].sort(
    (a, b) => a.from - b.from || rank(b.severity) - rank(a.severity) || a.to - b.to || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** Normalised [from, to) of a range in text; an empty range at a character widens to it. */
function spanOf(from, to, length, text) {
  from = Math.max(0, Math.min(from | 0, length));
  to = Math.max(from, Math.min(to | 0, length));
  if (to === from && from < length && text[from] !== '\n' && text[from] !== '\r') to = from + 1;
  return [from, to];
}

function renderHighlights(text) {
  const spans = [];
  for (const finding of findings) {
    const [from, to] = spanOf(finding.from, finding.to, text.length, text);
    spans.push({ from, to, rank: rank(finding.severity), severity: finding.severity, code: finding.code });
    for (const label of finding.labels || []) {
      const [lf, lt] = spanOf(label.from, label.to, text.length, text);
      spans.push({ from: lf, to: lt, rank: 0, severity: 'label', code: finding.code });
    }
  }
  const bounds = new Set([0, text.length]);
  for (const span of spans) {
    bounds.add(span.from);
    bounds.add(span.to);
  }
  const points = [...bounds].sort((a, b) => a - b);
  const fragment = document.createDocumentFragment();
  textNodeStarts = new Map();
  const addText = (parent, from, to) => {
    const node = document.createTextNode(text.slice(from, to));
    textNodeStarts.set(node, from);
    parent.append(node);
  };
  for (let i = 0; i < points.length; i++) {
    const a = points[i];
    // Empty ranges (at the end of a line or of the text) get a caret-like marker.
    for (const span of spans) {
      if (span.from === a && span.to === a && span.rank > 0) {
        fragment.append(el('mark', {
          className: `m point sev-${span.severity}`,
          dataset: { codes: span.code, line: String(lineOf(a) + 1) },
        }));
      }
    }
    if (i + 1 >= points.length) break;
    const b = points[i + 1];
    if (b <= a) continue;
    const covering = spans.filter((s) => s.from <= a && s.to >= b && s.to > s.from);
    if (!covering.length) {
      addText(fragment, a, b);
      continue;
    }
    const best = covering.reduce((x, y) => (y.rank > x.rank ? y : x));
    const codes = [...new Set(covering.map((s) => s.code))].join(' ');
    const mark = el('mark', {
      className: best.rank > 0 ? `m sev-${best.severity}` : 'm label',
      dataset: { codes, line: String(lineOf(a) + 1) },
    });
    addText(mark, a, b);
    fragment.append(mark);
  }
  // A pre drops a trailing newline; the textarea shows the empty last line.
  if (text.endsWith('\n') || text === '') fragment.append(document.createTextNode(' '));
  highlights.replaceChildren(fragment);
  syncScroll();
}

function renderGutter() {
  const worst = new Map();
  for (const finding of findings) {
    const line = lineOf(Math.max(0, Math.min(finding.from, checkedText.length)));
    if (rank(finding.severity) > rank(worst.get(line))) worst.set(line, finding.severity);
  }
  const fragment = document.createDocumentFragment();
  for (let i = 0; i < lineStarts.length; i++) {
    const severity = worst.get(i);
    fragment.append(el('div', { className: severity ? `ln sev-${severity}` : 'ln' }, String(i + 1)));
  }
  gutter.replaceChildren(fragment);
  gutter.parentElement.style.setProperty('--digits', String(String(lineStarts.length).length));
}

function location1(position) {
  return `${position.line + 1}:${position.character + 1}`;
}

function renderFindings() {
  const fragment = document.createDocumentFragment();
  findings.forEach((finding, index) => {
    const header = el('div', { className: 'finding-head' },
      el('span', { className: `badge sev-${finding.severity}` }, SEVERITY_LABEL[finding.severity] || finding.severity),
      finding.url
        ? el('a', { className: 'code', href: finding.url, target: '_blank', rel: 'noopener', title: finding.name || '' }, finding.code)
        : el('span', { className: 'code' }, finding.code),
      finding.name ? el('span', { className: 'name' }, finding.name) : null,
      el('button', {
        type: 'button',
        className: 'loc',
        title: 'Select in the document',
        onclick: (event) => {
          event.stopPropagation();
          selectRange(finding.from, finding.to);
        },
      }, location1(finding.start)),
    );
    const body = [el('p', { className: 'message' }, ...inlineCode(finding.message || ''))];
    if (finding.note) body.push(el('p', { className: 'note' }, el('span', { className: 'tag' }, 'note'), ...inlineCode(finding.note)));
    if (finding.help) body.push(el('p', { className: 'help' }, el('span', { className: 'tag' }, 'help'), ...inlineCode(finding.help)));
    if (finding.access_analyzer_code) {
      body.push(el('p', { className: 'aa' }, el('span', { className: 'tag' }, 'IAM Access Analyzer'), el('code', {}, finding.access_analyzer_code)));
    }
    if (finding.labels && finding.labels.length) {
      body.push(el('ul', { className: 'labels' }, finding.labels.map((label) => el('li', {},
        el('button', {
          type: 'button',
          className: 'loc',
          onclick: (event) => {
            event.stopPropagation();
            selectRange(label.from, label.to);
          },
        }, location1(label.start)),
        ' ',
        ...inlineCode(label.message || ''),
      ))));
    }
    const fix = finding.fix;
    if (fix) {
      const actions = el('div', { className: 'fix-row' });
      if (fix.applicability === 'safe') {
        actions.append(el('button', {
          type: 'button',
          className: 'fix',
          title: fix.message || 'Apply this fix',
          onclick: (event) => {
            event.stopPropagation();
            applyFix(finding);
          },
        }, 'Fix'));
      } else if (fix.applicability === 'unsafe' && fix.edits && fix.edits.length) {
        actions.append(el('button', {
          type: 'button',
          className: 'fix-unsafe',
          title: 'This fix may change what the document means: review it after applying',
          onclick: (event) => {
            event.stopPropagation();
            applyFix(finding);
          },
        }, 'Apply suggestion'));
      }
      if (fix.message) actions.append(el('span', { className: 'fix-message' }, ...inlineCode(fix.message)));
      body.push(actions);
    }
    const item = el('li', {
      className: `finding sev-${finding.severity}`,
      tabindex: '0',
      dataset: {
        code: finding.code,
        line: String(finding.start.line + 1),
        severity: finding.severity,
        index: String(index),
      },
      onclick: (event) => {
        if (event.target.closest('a, button')) return;
        if (window.getSelection && String(window.getSelection()).length) return; // copying text
        selectRange(finding.from, finding.to);
      },
      onkeydown: (event) => {
        if (event.key === 'Enter' && event.target === event.currentTarget) selectRange(finding.from, finding.to);
      },
    }, header, ...body);
    fragment.append(item);
  });
  findingsList.replaceChildren(fragment);
  $('fix-all').disabled = !findings.some((f) => f.fix && f.fix.applicability === 'safe');
}

function renderStatus(result) {
  statusBox.replaceChildren();
  statusBox.classList.toggle('error', !result.ok);
  if (!result.ok) {
    statusBox.append(el('strong', {}, 'Cannot check: '), ...inlineCode(String(result.error || 'unknown error')));
    return;
  }
  const counts = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) if (finding.severity in counts) counts[finding.severity]++;
  const what = result.kind
    ? el('span', { className: 'kind' }, 'Checked as ', el('strong', {}, ...inlineCode(String(result.kind))))
    : el('span', { className: 'kind' }, source.value.trim() ? 'Not recognised as an onboarding document' : 'Paste a document to check');
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const summary = findings.length
    ? el('span', { className: 'counts' },
      el('span', { className: 'count sev-error' }, plural(counts.error, 'error')),
      el('span', { className: 'count sev-warning' }, plural(counts.warning, 'warning')),
      el('span', { className: 'count sev-info' }, `${counts.info} info`))
    : el('span', { className: 'counts clean' }, result.kind ? 'No findings' : '');
  statusBox.append(what, summary);
}

// ---------------------------------------------------------------------------------------------
// Caret, hover and scrolling

function findingsAt(offset) {
  const hits = findings.filter((f) => (f.from <= offset && offset < f.to) || (f.from === f.to && f.from === offset));
  return hits.sort((a, b) => rank(b.severity) - rank(a.severity) || (a.to - a.from) - (b.to - b.from));
}

function safeHover(offset) {
  try {
    return hover(source.value, offset) || '';
  } catch {
    return '';
  }
}

let caretFrame = 0;
function updateCaret() {
  cancelAnimationFrame(caretFrame);
  caretFrame = requestAnimationFrame(renderCaret);
}

function renderCaret() {
  const text = source.value;
  const pos = source.selectionStart ?? 0;
  if (text !== checkedText) return;
  const line = lineOf(pos);
  const column = pos - lineStarts[line];
  // The finding the caret is in (or just after).
  let hits = findingsAt(pos);
  if (!hits.length && pos > 0) hits = findingsAt(pos - 1);
  caretInfo.replaceChildren();
  const where = el('span', { className: 'caret-pos' }, `Ln ${line + 1}, Col ${column + 1}`);
  if (hits.length) {
    const f = hits[0];
    caretInfo.classList.add('has-finding');
    caretInfo.append(...[
      el('span', { className: `badge sev-${f.severity}` }, f.severity),
      f.url ? el('a', { className: 'code', href: f.url, target: '_blank', rel: 'noopener' }, f.code) : el('span', { className: 'code' }, f.code),
      el('span', { className: 'caret-message' }, ...inlineCode(f.message || '')),
      f.help ? el('span', { className: 'caret-help' }, ' — ', ...inlineCode(f.help)) : null,
      hits.length > 1 ? el('span', { className: 'more' }, ` (+${hits.length - 1} more)`) : null,
      where,
    ].filter(Boolean));
  } else {
    caretInfo.classList.remove('has-finding');
    caretInfo.append(where);
  }
  let markdown = safeHover(pos);
  if (!markdown && pos > 0) markdown = safeHover(pos - 1);
  if (markdown) {
    renderMarkdown(markdown, hoverBox);
    hoverPanel.hidden = false;
  } else {
    hoverPanel.hidden = true;
  }
}

function syncScroll() {
  const x = source.scrollLeft;
  const y = source.scrollTop;
  highlights.style.transform = `translate(${-x}px, ${-y}px)`;
  gutter.style.transform = `translateY(${-y}px)`;
}

/** The text offset of the character under a viewport point, or -1. */
function offsetAtPoint(x, y) {
  let node = null;
  let offset = 0;
  source.style.pointerEvents = 'none';
  try {
    if (document.caretPositionFromPoint) {
      const pos = document.caretPositionFromPoint(x, y);
      if (pos) {
        node = pos.offsetNode;
        offset = pos.offset;
      }
    } else if (document.caretRangeFromPoint) {
      const range = document.caretRangeFromPoint(x, y);
      if (range) {
        node = range.startContainer;
        offset = range.startOffset;
      }
    }
  } finally {
    source.style.pointerEvents = '';
  }
  if (!node || !textNodeStarts.has(node)) return -1;
  // The caret position is the nearest boundary: the character under the point is just after or
  // just before it.
  const range = document.createRange();
  for (const candidate of [offset, offset - 1]) {
    if (candidate < 0 || candidate >= node.length) continue;
    range.setStart(node, candidate);
    range.setEnd(node, candidate + 1);
    for (const rect of range.getClientRects()) {
      if (x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom) {
        return textNodeStarts.get(node) + candidate;
      }
    }
  }
  return -1;
}

let hoverOffset = -1;
let pointer = null;
let pointerFrame = 0;

function onPointerMove(event) {
  pointer = { x: event.clientX, y: event.clientY };
  if (!pointerFrame) pointerFrame = requestAnimationFrame(renderTooltip);
}

function hideTooltip() {
  tooltip.hidden = true;
  hoverOffset = -1;
}

function renderTooltip() {
  pointerFrame = 0;
  if (!pointer || source.value !== checkedText) return hideTooltip();
  const offset = offsetAtPoint(pointer.x, pointer.y);
  if (offset < 0) return hideTooltip();
  if (offset !== hoverOffset) {
    hoverOffset = offset;
    const hits = findingsAt(offset);
    const markdown = safeHover(offset);
    if (!hits.length && !markdown) return hideTooltip();
    tooltip.replaceChildren();
    for (const f of hits) {
      tooltip.append(el('div', { className: 'tip-finding' },
        el('span', { className: `badge sev-${f.severity}` }, f.severity),
        el('span', { className: 'code' }, f.code),
        ' ',
        ...inlineCode(f.message || '')));
    }
    if (markdown) {
      const box = el('div', { className: 'markdown' });
      renderMarkdown(markdown, box);
      tooltip.append(box);
    }
    tooltip.hidden = false;
  }
  // Place it below-right of the pointer, inside the viewport.
  const margin = 8;
  const { width, height } = tooltip.getBoundingClientRect();
  let left = pointer.x + 14;
  let top = pointer.y + 18;
  if (left + width + margin > window.innerWidth) left = Math.max(margin, window.innerWidth - width - margin);
  if (top + height + margin > window.innerHeight) top = Math.max(margin, pointer.y - height - 12);
  tooltip.style.left = `${left}px`;
  tooltip.style.top = `${top}px`;
}

// ---------------------------------------------------------------------------------------------
// Set-up

function fillSelect(select, pairs, fallback) {
  select.replaceChildren(...pairs.map(([value, label]) => el('option', { value }, label)));
  select.value = fallback;
}

function loadExample(example, { undoable = true } = {}) {
  setSourceText(example.text || '', { undoable });
  setField('kind', example.kind || 'auto');
  if (example.fields && typeof example.fields === 'object') {
    for (const [id, key, , fallback] of FIELDS) {
      if (key === 'kind') continue;
      setField(id, typeof example.fields[key] === 'string' ? example.fields[key] : fallback);
    }
  }
  source.setSelectionRange(0, 0);
  source.scrollTop = 0;
  source.scrollLeft = 0;
}

function fillExamples() {
  const groups = new Map();
  examples.forEach((example, index) => {
    const title = String(example.title || `Example ${index + 1}`);
    const colon = title.indexOf(': ');
    const group = colon > 0 && colon < 20 ? title.slice(0, colon) : 'Examples';
    const label = colon > 0 && colon < 20 ? title.slice(colon + 2) : title;
    if (!groups.has(group)) groups.set(group, el('optgroup', { label: group }));
    groups.get(group).append(el('option', { value: String(index), title }, label));
  });
  examplesSelect.append(...groups.values());
  examplesSelect.disabled = examples.length === 0;
}

async function loadExamples() {
  try {
    const response = await fetch(new URL('./pkg/examples.json', import.meta.url));
    if (!response.ok) return [];
    const data = await response.json();
    return Array.isArray(data) ? data.filter((e) => e && typeof e.text === 'string') : [];
  } catch {
    return [];
  }
}

function afterChange() {
  runCheck();
  saveState();
}

async function copyLink() {
  saveStateNow();
  const link = location.href;
  try {
    await navigator.clipboard.writeText(link);
    showToast('Link copied');
    return;
  } catch {
    // No clipboard permission (e.g. not a secure context): fall back to a selected input.
  }
  const input = el('input', { value: link, readonly: true, className: 'offscreen' });
  document.body.append(input);
  input.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  input.remove();
  showToast(copied ? 'Link copied' : 'Copy the link from the address bar');
}

function wireEvents() {
  source.addEventListener('input', () => {
    if (!suppressInput) afterChange();
  });
  source.addEventListener('scroll', () => {
    syncScroll();
    hideTooltip();
  });
  for (const type of ['select', 'click', 'keyup', 'focus']) source.addEventListener(type, updateCaret);
  document.addEventListener('selectionchange', () => {
    if (document.activeElement === source) updateCaret();
  });
  source.addEventListener('mousemove', onPointerMove);
  source.addEventListener('mouseleave', () => {
    pointer = null;
    hideTooltip();
  });
  source.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') hideTooltip();
  });
  new ResizeObserver(syncScroll).observe(source);

  for (const [id] of FIELDS) {
    const field = $(id);
    field.addEventListener(field.tagName === 'SELECT' ? 'change' : 'input', afterChange);
  }
  $('controls').addEventListener('submit', (event) => event.preventDefault());
  $('fix-all').addEventListener('click', fixAll);
  $('copy-link').addEventListener('click', copyLink);
  examplesSelect.addEventListener('change', () => {
    const example = examples[Number(examplesSelect.value)];
    examplesSelect.value = '';
    if (!example) return;
    loadExample(example);
    afterChange();
    source.focus({ preventScroll: true });
    showToast(`Loaded: ${example.title}`);
  });
  window.addEventListener('hashchange', () => {
    try {
      const state = readHashState();
      if (state) {
        applyState(state);
        runCheck();
      }
    } catch {
      showToast('The link’s state could not be read');
    }
  });
}

async function main() {
  try {
    await init();
  } catch (error) {
    statusBox.classList.add('error');
    statusBox.textContent =
      `Could not load the WebAssembly module (${error && error.message ? error.message : error}). ` +
      'Build it with playground/build.sh and serve playground/web over HTTP.';
    document.body.dataset.ready = 'error';
    return;
  }
  const opts = JSON.parse(options());
  fillSelect($('kind'), opts.kinds || [['auto', 'Detect']], 'auto');
  fillSelect($('export-type'), opts.export_types || [['', 'detect']], '');
  fillSelect($('scenario'), opts.scenarios || [['', 'none']], '');
  fillSelect($('platform'), opts.platforms || [['', 'any']], '');
  $('versions').textContent = `finops-lint ${opts.version || '?'}${opts.catalog ? ` · catalog ${opts.catalog}` : ''}`;

  window.finopsCheck = (text, request) =>
    JSON.parse(check(String(text), typeof request === 'string' ? request : JSON.stringify(request ?? currentRequest())));

  examples = await loadExamples();
  fillExamples();

  let restored = false;
  try {
    const state = readHashState();
    if (state) {
      applyState(state);
      restored = true;
    }
  } catch {
    showToast('The link’s state could not be read');
  }
  if (!restored && examples.length) loadExample(examples[0], { undoable: false });
  source.setSelectionRange(0, 0);

  wireEvents();
  runCheck();
  document.body.dataset.ready = '1';
}

main();
