/**
 * yasr's web UI: plain TypeScript on the DOM, compiled by `npm run build` (src/web/tsconfig.json)
 * and served by `yasr serve`. Every value from the catalogue is put into the page as text
 * (textContent, attributes set one by one), never as HTML. Views follow the URL hash:
 * #/track/ID, #/upload, #/likes, #/discover.
 */

interface Rec {
  rank: number; trackId: number; artist: string | null; title: string | null; album: string | null;
  releaseDate: string | null; popularity: number | null; score: number; reason: string;
}
interface RecResult { method: string; scoreKind: string; nearest: Rec[]; least: Rec[]; candidates: number; query: { trackId: number | null } }
interface TrackView {
  id: number; artist: string | null; title: string | null; album: string | null; releaseDate: string | null; popularity: number | null;
  duration: number | null; statedDuration: number | null; link: string | null; licence: string | null; coverUrl: string | null; isPreview: boolean | null;
  favourite: boolean; descriptors: Record<string, number | string> | null; sources: { source: string }[];
  analysis: { offset: number; trimStart: number; trimEnd: number; analysedSeconds: number } | null;
}
interface Hit { id: number; artist: string | null; title: string | null; album: string | null; releaseDate: string | null }

const $ = <T extends HTMLElement>(sel: string): T => document.querySelector(sel) as T;
const view = () => $('#view');

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: (Node | string | null)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) if (k !== null) e.append(k);
  return e;
}

const nonNull = (...xs: (Node | string | null)[]): (Node | string)[] => xs.filter((x): x is Node | string => x !== null);

const label = (t: { artist: string | null; title: string | null }) => (t.artist ? `${t.artist} – ${t.title ?? '?'}` : (t.title ?? '?'));

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const r = await fetch(path, init);
  const body = (await r.json().catch(() => ({ error: `HTTP ${r.status}` }))) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body;
}

function showError(where: HTMLElement, err: unknown): void {
  where.append(el('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
}

/* ---------- search, typed as you go ---------- */
let searchSeq = 0;
async function runSearch(q: string): Promise<void> {
  const seq = ++searchSeq;
  const list = $<HTMLUListElement>('#results');
  if (!q.trim()) {
    list.hidden = true;
    return;
  }
  const r = await api<{ results: Hit[] }>(`/api/search?q=${encodeURIComponent(q)}&limit=12`);
  if (seq !== searchSeq) return; // a newer query answered first
  list.replaceChildren(
    ...(r.results.length
      ? r.results.map((h) => {
          const li = el('li', { role: 'option', 'data-id': String(h.id) }, el('strong', {}, h.title ?? '?'), ' ', el('span', { class: 'muted' }, `${h.artist ?? '?'}${h.album ? ` · ${h.album}` : ''}`));
          li.addEventListener('mousedown', (e) => {
            e.preventDefault();
            location.hash = `#/track/${h.id}`;
            list.hidden = true;
          });
          return li;
        })
      : [el('li', { class: 'muted' }, 'No match')]),
  );
  list.hidden = false;
}

function setupSearch(): void {
  const input = $<HTMLInputElement>('#search');
  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => void runSearch(input.value).catch(() => undefined), 80);
  });
  input.addEventListener('keydown', (e) => {
    const items = [...document.querySelectorAll<HTMLLIElement>('#results li[data-id]')];
    const cur = items.findIndex((i) => i.getAttribute('aria-selected') === 'true');
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = e.key === 'ArrowDown' ? Math.min(items.length - 1, cur + 1) : Math.max(0, cur - 1);
      items.forEach((i, k) => i.setAttribute('aria-selected', String(k === next)));
    } else if (e.key === 'Enter') {
      const pick = items[cur >= 0 ? cur : 0];
      if (pick) {
        location.hash = `#/track/${pick.dataset.id}`;
        $<HTMLUListElement>('#results').hidden = true;
      }
    } else if (e.key === 'Escape') $<HTMLUListElement>('#results').hidden = true;
  });
  input.addEventListener('blur', () => setTimeout(() => ($<HTMLUListElement>('#results').hidden = true), 150));
}

/* ---------- recommendations ---------- */
interface RecControls { method: string; k: number; maxPopularity: number; sameArtist: boolean; newDays: number | null }
const controls: RecControls = { method: 'cosine', k: 5, maxPopularity: 70, sameArtist: false, newDays: null };

function controlsBar(onChange: () => void): HTMLElement {
  const method = el('select', { id: 'method', 'aria-label': 'method' });
  for (const m of ['cosine', 'timbre', 'hybrid', 'features', 'blocks', 'dtw', 'fastdtw']) {
    const o = el('option', { value: m }, m);
    if (m === controls.method) o.selected = true;
    method.append(o);
  }
  const k = el('input', { id: 'k', type: 'number', min: '1', max: '50', value: String(controls.k), 'aria-label': 'how many' });
  const pop = el('input', { id: 'max-popularity', type: 'number', min: '0', max: '100', value: String(controls.maxPopularity), 'aria-label': 'max popularity' });
  const same = el('input', { id: 'same-artist', type: 'checkbox' });
  same.checked = controls.sameArtist;
  const days = el('input', { id: 'new-days', type: 'number', min: '1', max: '36500', placeholder: 'any', value: controls.newDays === null ? '' : String(controls.newDays), 'aria-label': 'released in the last days' });
  const changed = () => {
    controls.method = method.value;
    controls.k = Math.max(1, Math.min(50, Number(k.value) || 5));
    controls.maxPopularity = Math.max(0, Math.min(100, Number(pop.value) || 0));
    controls.sameArtist = same.checked;
    const d = Number(days.value);
    controls.newDays = days.value.trim() && Number.isInteger(d) && d > 0 ? d : null;
    onChange();
  };
  for (const x of [method, k, pop, same, days]) x.addEventListener('change', changed);
  return el('div', { class: 'controls' }, el('label', {}, 'Method ', method), el('label', {}, 'Most/least ', k), el('label', {}, 'Max popularity ', pop), el('label', {}, 'Released in the last ', days, ' days'), el('label', {}, same, ' same artist'));
}

function recQuery(): string {
  return `method=${encodeURIComponent(controls.method)}&k=${controls.k}&least=${controls.k}&maxPopularity=${controls.maxPopularity}&sameArtist=${controls.sameArtist}${controls.newDays ? `&newDays=${controls.newDays}` : ''}`;
}

/** What a thumbs up/down refers to: the query (a track or an upload) and the method shown. */
interface RateContext { query: { trackId: number } | { upload: string }; method: string }

function thumbs(ctx: RateContext, r: Rec): HTMLElement {
  const up = el('button', { type: 'button', class: 'thumb up', 'aria-pressed': 'false', title: 'More like this' }, '▲');
  const down = el('button', { type: 'button', class: 'thumb down', 'aria-pressed': 'false', title: 'Not for me' }, '▼');
  const send = async (which: 'up' | 'down') => {
    const on = (which === 'up' ? up : down).getAttribute('aria-pressed') !== 'true';
    await api('/api/ratings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: ctx.query, trackId: r.trackId, value: on ? which : 'clear', method: ctx.method, rank: r.rank }) });
    up.setAttribute('aria-pressed', String(on && which === 'up'));
    down.setAttribute('aria-pressed', String(on && which === 'down'));
  };
  up.addEventListener('click', () => void send('up'));
  down.addEventListener('click', () => void send('down'));
  return el('span', { class: 'thumbs' }, up, down);
}

function recList(items: Rec[], kind: string, cls: string, rateCtx?: RateContext): HTMLElement {
  if (!items.length) return el('p', { class: 'muted' }, 'No track passes the filters.');
  return el(
    'ol',
    { class: `recs ${cls}` },
    ...items.map((r) => {
      const like = el('button', { type: 'button', class: 'like', 'aria-pressed': 'false', title: 'Add to favourites' }, '♥');
      like.addEventListener('click', async () => {
        await api('/api/likes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ trackId: r.trackId }) });
        like.setAttribute('aria-pressed', 'true');
      });
      const open = el('a', { href: `#/track/${r.trackId}` }, label(r));
      return el(
        'li',
        { 'data-track-id': String(r.trackId) },
        el('div', { class: 'rec-head' }, el('span', { class: 'rank' }, `${r.rank}.`), open, el('span', { class: 'muted' }, [r.releaseDate, r.popularity === null ? null : `pop ${r.popularity}`].filter(Boolean).join(' · ')), el('span', { class: 'score' }, `${kind} ${r.score.toFixed(3)}`), rateCtx ? thumbs(rateCtx, r) : null, like),
        el('div', { class: 'reason' }, r.reason),
        el('audio', { controls: '', preload: 'none', src: `/api/tracks/${r.trackId}/audio` }),
      );
    }),
  );
}

function renderRecs(box: HTMLElement, r: RecResult, query: RateContext['query']): void {
  const ids = r.nearest.map((x) => x.trackId);
  const rateCtx = { query, method: r.method };
  box.replaceChildren(
    el('h2', {}, `Most similar (${r.method})`),
    recList(r.nearest, r.scoreKind, 'nearest', rateCtx),
    el('p', {}, el('a', { id: 'm3u', href: `/api/playlist.m3u?ids=${ids.join(',')}`, download: 'yasr.m3u' }, 'Download these as an M3U playlist')),
    el('h2', {}, 'Least similar'),
    recList(r.least, r.scoreKind, 'least', rateCtx),
  );
}

/* ---------- track page ---------- */
const PLOTS = ['waveform', 'mel', 'mfcc', 'chroma'] as const;

async function showTrack(id: number): Promise<void> {
  const t = await api<TrackView>(`/api/tracks/${id}`);
  document.title = `${label(t)} · yasr`;
  const desc = t.descriptors;
  const rows: [string, string][] = [];
  if (desc) {
    if (typeof desc.tempo === 'number') rows.push(['Tempo', `${Math.round(desc.tempo)} BPM`]);
    if (desc.key) rows.push(['Key', `${desc.key} ${desc.mode}`]);
    if (typeof desc.loudness === 'number') rows.push(['Loudness', `${desc.loudness.toFixed(1)} LUFS`]);
    if (typeof desc.energy === 'number') rows.push(['Energy', desc.energy.toFixed(2)]);
    if (typeof desc.danceability === 'number') rows.push(['Danceability', desc.danceability.toFixed(2)]);
    if (typeof desc.spectralCentroid === 'number') rows.push(['Brightness', `${Math.round(desc.spectralCentroid)} Hz`]);
  }
  const fav = el('button', { type: 'button', id: 'favourite', 'aria-pressed': String(t.favourite) }, t.favourite ? '♥ Favourite' : '♡ Add to favourites');
  fav.addEventListener('click', async () => {
    const on = fav.getAttribute('aria-pressed') !== 'true';
    if (on) await api('/api/likes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ trackId: t.id }) });
    else await api(`/api/likes/${t.id}`, { method: 'DELETE' });
    fav.setAttribute('aria-pressed', String(on));
    fav.textContent = on ? '♥ Favourite' : '♡ Add to favourites';
  });
  const plots = el(
    'div',
    { class: 'plots' },
    ...PLOTS.map((k) => {
      const img = el('img', { alt: `${k} of ${label(t)}`, loading: 'lazy', src: `/api/tracks/${t.id}/plot/${k}.png`, 'data-kind': k });
      const fig = el('figure', {}, img, el('figcaption', {}, k === 'waveform' && t.analysis ? `waveform: trimmed ${t.analysis.trimStart.toFixed(1)}–${t.analysis.trimEnd.toFixed(1)} s, ${t.analysis.analysedSeconds.toFixed(0)} s analysed` : k));
      img.addEventListener('error', () => fig.remove());
      return fig;
    }),
  );
  const recs = el('div', { id: 'recs' }, el('p', { class: 'muted' }, 'Finding similar tracks…'));
  const load = async () => {
    recs.replaceChildren(el('p', { class: 'muted' }, 'Finding similar tracks…'));
    try {
      renderRecs(recs, await api<RecResult>(`/api/tracks/${t.id}/recommendations?${recQuery()}`), { trackId: t.id });
    } catch (err) {
      recs.replaceChildren();
      showError(recs, err);
    }
  };
  view().replaceChildren(
    ...nonNull(
    el('h1', { id: 'track-title' }, label(t)),
    el('div', { class: 'meta' }, [t.album, t.releaseDate, t.popularity === null ? null : `popularity ${t.popularity}`, t.isPreview ? 'preview' : null].filter(Boolean).join(' · ')),
    t.link && /^https?:/.test(t.link) ? el('p', {}, el('a', { href: t.link, rel: 'noopener noreferrer', target: '_blank' }, 'Open at the source')) : null,
    el('audio', { id: 'player', controls: '', preload: 'metadata', src: `/api/tracks/${t.id}/audio` }),
    el('p', {}, fav),
    rows.length ? el('table', { class: 'desc' }, ...rows.map(([k, v]) => el('tr', {}, el('td', { class: 'muted' }, k), el('td', {}, v)))) : null,
    plots,
    controlsBar(() => void load()),
    recs,
    pathSection(t),
    ),
  );
  await load();
}

/* ---------- a path from this track to another ---------- */
interface PathStep { step: number; trackId: number; artist: string | null; title: string | null; score: number }

function pathSection(from: TrackView): HTMLElement {
  const to = el('input', { type: 'search', id: 'path-to', placeholder: 'to… (search)', autocomplete: 'off' });
  const options = el('ul', { class: 'muted', id: 'path-options' });
  const steps = el('input', { type: 'number', id: 'path-steps', min: '2', max: '30', value: '6', 'aria-label': 'steps' });
  const out = el('div', { id: 'path' });
  let timer = 0;
  to.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const r = await api<{ results: Hit[] }>(`/api/search?q=${encodeURIComponent(to.value)}&limit=5`).catch(() => ({ results: [] as Hit[] }));
      options.replaceChildren(
        ...r.results.filter((h) => h.id !== from.id).map((h) => {
          const b = el('button', { type: 'button', 'data-id': String(h.id) }, label(h));
          b.addEventListener('click', async () => {
            out.replaceChildren(el('p', { class: 'muted' }, 'Finding a path…'));
            try {
              const p = await api<{ steps: PathStep[]; method: string }>(`/api/path?from=${from.id}&to=${h.id}&steps=${Number(steps.value) || 6}&method=${encodeURIComponent(controls.method === 'dtw' || controls.method === 'fastdtw' ? 'cosine' : controls.method)}`);
              out.replaceChildren(
                el('ol', { id: 'path-steps-list' }, ...p.steps.map((s) => el('li', {}, el('a', { href: `#/track/${s.trackId}` }, label(s)), el('span', { class: 'muted' }, s.step === 0 ? '' : ` (${s.score.toFixed(3)})`)))),
                el('a', { href: `/api/playlist.m3u?ids=${p.steps.map((s) => s.trackId).join(',')}`, download: 'yasr-path.m3u' }, 'Download the path as M3U'),
              );
            } catch (err) {
              out.replaceChildren();
              showError(out, err);
            }
          });
          return el('li', {}, b);
        }),
      );
    }, 120);
  });
  return el('section', {}, el('h2', {}, 'A path from here to another track'), el('div', { class: 'controls' }, to, el('label', {}, 'Steps ', steps)), options, out);
}

/* ---------- upload ---------- */
function showUpload(): void {
  const input = el('input', { type: 'file', id: 'file', accept: 'audio/*' });
  const drop = el('div', { class: 'drop', id: 'drop' }, el('p', {}, 'Drop an audio file here, or '), input);
  const status = el('div', { id: 'upload-status' });
  const recs = el('div', { id: 'recs' });
  const send = (f: File) => {
    status.replaceChildren(el('p', {}, `Uploading ${f.name}…`), el('progress', { max: '100', value: '0', id: 'upload-progress' }));
    recs.replaceChildren();
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/uploads?name=${encodeURIComponent(f.name)}`);
    xhr.upload.onprogress = (e) => {
      const bar = document.getElementById('upload-progress') as HTMLProgressElement | null;
      if (bar && e.lengthComputable) bar.value = (100 * e.loaded) / e.total;
    };
    xhr.upload.onload = () => {
      const started = Date.now();
      status.replaceChildren(el('p', { id: 'analysing' }, 'Analysing… '), el('progress', {}));
      const tick = window.setInterval(() => {
        const p = document.getElementById('analysing');
        if (p) p.textContent = `Analysing… ${Math.round((Date.now() - started) / 1000)} s`;
        else clearInterval(tick);
      }, 500);
    };
    xhr.onload = async () => {
      const body = JSON.parse(xhr.responseText || '{}') as { id?: string; error?: string; name?: string; descriptors?: Record<string, number | string> | null };
      if (xhr.status !== 201 || !body.id) {
        status.replaceChildren();
        showError(status, new Error(body.error ?? `HTTP ${xhr.status}`));
        return;
      }
      const id = body.id;
      const add = el('button', { type: 'button', id: 'add-catalogue' }, 'Add to the catalogue');
      const addFav = el('button', { type: 'button', id: 'add-favourite' }, 'Add to favourites');
      const added = el('span', { class: 'muted', id: 'added' });
      const doAdd = async (favourite: boolean) => {
        const r = await api<{ trackId: number }>(`/api/uploads/${id}/add`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ favourite }) });
        added.replaceChildren('Added as ', el('a', { href: `#/track/${r.trackId}` }, `track #${r.trackId}`), favourite ? ' (a favourite)' : '');
      };
      add.addEventListener('click', () => void doAdd(false).catch((e) => showError(status, e)));
      addFav.addEventListener('click', () => void doAdd(true).catch((e) => showError(status, e)));
      const d = body.descriptors;
      status.replaceChildren(
        ...nonNull(
        el('h2', { id: 'upload-done' }, `${body.name ?? f.name}: analysed`),
        d ? el('p', { class: 'muted' }, `${Math.round(Number(d.tempo))} BPM, ${String(d.key)} ${String(d.mode)}, ${Number(d.loudness).toFixed(1)} LUFS`) : null,
        el('p', {}, add, ' ', addFav, ' ', added),
        ),
      );
      const load = async () => renderRecs(recs, await api<RecResult>(`/api/uploads/${id}/recommendations?${recQuery()}`), { upload: id });
      recs.before(controlsBar(() => void load().catch((e) => showError(recs, e))));
      await load().catch((e) => showError(recs, e));
    };
    xhr.onerror = () => {
      status.replaceChildren();
      showError(status, new Error('the upload failed (connection lost)'));
    };
    xhr.send(f);
  };
  input.addEventListener('change', () => input.files?.[0] && send(input.files[0]));
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) send(f);
  });
  document.title = 'Upload · yasr';
  view().replaceChildren(el('h1', {}, 'What does this sound like?'), el('p', { class: 'muted' }, 'The file is analysed on the server; nothing is added to the catalogue unless you say so.'), drop, status, recs);
}

/* ---------- favourites and discovery ---------- */
async function showLikes(): Promise<void> {
  const ls = await api<{ trackId: number; artist: string | null; title: string | null; via: string }[]>('/api/likes');
  document.title = 'Favourites · yasr';
  view().replaceChildren(
    el('h1', {}, 'Favourites'),
    ls.length
      ? el('ul', { id: 'likes' }, ...ls.map((l) => el('li', {}, el('a', { href: `#/track/${l.trackId}` }, label(l)), el('span', { class: 'muted' }, ` (${l.via === 'file' ? 'your file' : 'catalogue'})`))))
      : el('p', { class: 'muted' }, 'No favourites yet: open a track and press ♡, or upload a file.'),
  );
}

async function showDiscover(): Promise<void> {
  document.title = 'Discover · yasr';
  const box = el('div', {}, el('p', { class: 'muted' }, 'Ranking this week’s releases against your favourites…'));
  view().replaceChildren(el('h1', {}, 'New this week, close to your favourites'), box);
  try {
    const r = await api<{ since: string; candidates: number; picks: (Rec & { nearest: { artist: string | null; title: string | null } })[] }>('/api/discover?since=7d&k=20');
    box.replaceChildren(el('p', { class: 'muted' }, `${r.picks.length} picks from ${r.candidates} tracks released since ${r.since}.`), recList(r.picks, 'score', 'discover'));
  } catch (err) {
    box.replaceChildren();
    showError(box, err);
  }
}

async function showHome(): Promise<void> {
  const s = await api<{ tracks: number; analysed: number; favourites: number }>('/api/status');
  document.title = 'yasr';
  view().replaceChildren(
    el('h1', {}, 'Find music that sounds like the music you love'),
    el('p', {}, `${s.tracks} tracks in the catalogue, ${s.analysed} analysed, ${s.favourites} favourites.`),
    el('p', { class: 'muted' }, 'Search above, upload a file, or see what is new this week.'),
  );
}

async function router(): Promise<void> {
  const h = location.hash;
  const m = /^#\/track\/(\d+)$/.exec(h);
  try {
    if (m) await showTrack(Number(m[1]));
    else if (h === '#/upload') showUpload();
    else if (h === '#/likes') await showLikes();
    else if (h === '#/discover') await showDiscover();
    else await showHome();
  } catch (err) {
    view().replaceChildren();
    showError(view(), err);
  }
}

setupSearch();
window.addEventListener('hashchange', () => void router());
void router();
void api<{ tracks: number }>('/api/status').then((s) => ($('#status').textContent = `yasr · ${s.tracks} tracks`)).catch(() => undefined);
