// <failscope-lab>: a Failscope lab as one tag in any page.
//
//   <script type="module" src="https://example.org/failscope/embed.js"></script>
//   <failscope-lab lab="raft" preset="partition" from="1.5" to="6" controls="minimal"></failscope-lab>
//   <failscope-lab link="https://example.org/failscope/#s=1.…" autoplay loop></failscope-lab>
//
// The element makes the embed iframe only when it comes near the screen and the reader has
// stopped scrolling (or at once with loading="eager"), so a long article with many labs loads
// none it is not showing. The iframe
// is the app beside this script (`?embed`, or the `app` attribute's address), so the tag works
// wherever the app is hosted, under any path. The tag only builds the embed's address: the
// window of time, the controls and the narration are the app's own URL options, and the app
// pauses when it is scrolled away or its tab is hidden, and never autoplays for a person who
// asked for reduced motion. The element sizes itself to the height the embed reports.
//
// It talks to the embed with the versioned postMessage protocol ({ failscope: 1, type, … },
// see the README): a `ready` handshake, then `state` and `resize` reports; play, pause,
// step, seek and load commands. The embed obeys only this page, and only this page's origin.

const SCRIPT_DIR = new URL('./', import.meta.url);
const PROTOCOL = 1;
const CONTROLS = ['full', 'minimal', 'none'];
const DEFAULT_HEIGHT = '470px';

// Starting a lab is a task of its own on the page's main thread (a same-origin iframe shares
// it), so a figure that comes into view is made once the reader stops scrolling, not in the
// middle of a scroll.
const SETTLE_MS = 200;
let scrolledAt = -Infinity;
addEventListener('scroll', () => { scrolledAt = performance.now(); }, { passive: true, capture: true });
function whenScrollSettles(run) {
  const wait = scrolledAt + SETTLE_MS - performance.now();
  if (wait <= 0) run(); else setTimeout(() => whenScrollSettles(run), wait);
}

/** A number of seconds from an attribute, or null when it is not one. */
function seconds(text) {
  if (text === null || text.trim() === '') return null;
  const s = Number(text);
  return Number.isFinite(s) && s >= 0 && s <= 86400 ? s : null;
}

class FailscopeLab extends HTMLElement {
  static observedAttributes = ['lab', 'preset', 'seed', 'link', 'autoplay', 'loop', 'from', 'to',
    'controls', 'theme', 'narration', 'app', 'height'];

  #frame = null;
  #observer = null;
  #near = false;
  #waiting = false;
  #state = null;
  #violations = 0;
  #onMessage = (event) => this.#receive(event);

  /** The last state the lab reported: { lab, time, playing, violations, from, to }, or null. */
  get state() { return this.#state; }

  play() { this.#send({ type: 'play' }); }
  pause() { this.#send({ type: 'pause' }); }
  step() { this.#send({ type: 'step' }); }
  /** Move to `seconds` of simulated time (kept inside the from/to window). */
  seek(seconds) {
    const s = Number(seconds);
    if (Number.isFinite(s) && s >= 0 && s <= 86400) this.#send({ type: 'seek', time_us: Math.round(s * 1e6) });
  }
  /** Open another run: a share link, or its #s= payload. */
  load(link) {
    if (typeof link === 'string' && link) this.#send({ type: 'load', link });
  }

  connectedCallback() {
    if (!this.style.display) this.style.display = 'block';
    window.addEventListener('message', this.#onMessage);
    if (this.#frame) return;
    // Until the lab is made, say what will be here, at the height it will take.
    const placeholder = document.createElement('div');
    placeholder.style.cssText = `height:${this.getAttribute('height') ?? DEFAULT_HEIGHT};display:flex;align-items:center;justify-content:center;font:14px system-ui,sans-serif;color:#666`;
    const what = this.getAttribute('link') ? 'a shared run' : [this.getAttribute('lab'), this.getAttribute('preset')].filter(Boolean).join(' · ');
    placeholder.textContent = `Failscope lab: ${what} (loads when it comes into view)`;
    this.replaceChildren(placeholder);
    if (this.getAttribute('loading') === 'eager' || !('IntersectionObserver' in window)) {
      this.#load();
    } else {
      this.#observer = new IntersectionObserver((entries) => {
        this.#near = entries[entries.length - 1].isIntersecting;
        if (!this.#near || this.#waiting) return;
        this.#waiting = true;
        whenScrollSettles(() => {
          this.#waiting = false;
          if (this.#near && !this.#frame) this.#load();
        });
      }, { rootMargin: '200px' });
      this.#observer.observe(this);
    }
  }

  disconnectedCallback() {
    window.removeEventListener('message', this.#onMessage);
    this.#observer?.disconnect();
    this.#observer = null;
  }

  attributeChangedCallback(name) {
    if (!this.#frame) return;
    if (name === 'height') {
      this.#frame.style.height = this.getAttribute('height') ?? DEFAULT_HEIGHT;
    } else if (this.#frame.src !== this.src) {
      this.#state = null;
      this.#frame.src = this.src;
    }
  }

  /** Where the app is: the `app` attribute, or the folder this script was loaded from. */
  get #app() {
    try {
      return new URL(this.getAttribute('app') ?? SCRIPT_DIR.href, document.baseURI);
    } catch {
      return SCRIPT_DIR;
    }
  }

  /** The embed's address for the current attributes. */
  get src() {
    const url = new URL('./', this.#app);
    const query = ['embed'];
    const theme = this.getAttribute('theme');
    if (theme === 'dark' || theme === 'light') query.push(`theme=${theme}`);
    const from = seconds(this.getAttribute('from'));
    const to = seconds(this.getAttribute('to'));
    if (from !== null) query.push(`from=${from}`);
    if (to !== null) query.push(`to=${to}`);
    if (this.hasAttribute('loop')) query.push('loop');
    const controls = this.getAttribute('controls');
    if (CONTROLS.includes(controls)) query.push(`controls=${controls}`);
    const narration = this.getAttribute('narration');
    if (narration !== null && narration !== 'off' && narration !== 'false') query.push('narration=on');
    // Pin this page's origin: the embed then obeys and tells only this page.
    if (location.origin && location.origin !== 'null') query.push(`origin=${encodeURIComponent(location.origin)}`);
    url.search = query.join('&');
    const link = this.getAttribute('link');
    const parts = [];
    if (link) {
      parts.push(link.includes('#') ? link.slice(link.indexOf('#') + 1) : link);
    } else {
      parts.push(`lab=${encodeURIComponent(this.getAttribute('lab') ?? '')}`);
      const preset = this.getAttribute('preset');
      if (preset) parts.push(`preset=${encodeURIComponent(preset)}`);
      const seed = this.getAttribute('seed');
      if (seed) parts.push(`seed=${encodeURIComponent(seed)}`);
    }
    const still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    if (this.hasAttribute('autoplay') && !still) parts.push('autoplay');
    url.hash = parts.join('&');
    return url.href;
  }

  #load() {
    this.#observer?.disconnect();
    this.#observer = null;
    const frame = document.createElement('iframe');
    frame.title = this.getAttribute('title') ?? `Failscope: ${this.getAttribute('lab') ?? 'a shared run'}`;
    frame.style.cssText = `width:100%;height:${this.getAttribute('height') ?? DEFAULT_HEIGHT};border:0;display:block`;
    frame.src = this.src;
    this.#frame = frame;
    this.replaceChildren(frame);
  }

  #send(command) {
    this.#frame?.contentWindow?.postMessage({ failscope: PROTOCOL, ...command }, this.#app.origin);
  }

  #receive(event) {
    const d = event.data;
    if (!this.#frame || event.source !== this.#frame.contentWindow || event.origin !== this.#app.origin) return;
    if (!d || typeof d !== 'object' || d.failscope !== PROTOCOL || typeof d.type !== 'string') return;
    const height = Number(d.height);
    if (!this.hasAttribute('height') && Number.isFinite(height) && height >= 120 && height <= 4000) {
      this.#frame.style.height = `${Math.round(height)}px`;
    }
    if (d.type === 'resize') return;
    this.#state = {
      lab: String(d.lab ?? ''),
      time: Number(d.time_us ?? 0) / 1e6,
      playing: Boolean(d.playing),
      violations: Number(d.violations ?? 0),
      from: Number(d.from_us ?? 0) / 1e6,
      to: Number.isFinite(Number(d.to_us)) && d.to_us !== undefined ? Number(d.to_us) / 1e6 : null,
    };
    if (d.type === 'ready') {
      this.#violations = 0;
      this.dispatchEvent(new CustomEvent('ready', { detail: this.#state }));
    }
    this.dispatchEvent(new CustomEvent('statechange', { detail: this.#state }));
    if (this.#state.violations > this.#violations) {
      this.dispatchEvent(new CustomEvent('violation', { detail: this.#state }));
    }
    this.#violations = this.#state.violations;
  }
}

if (!customElements.get('failscope-lab')) customElements.define('failscope-lab', FailscopeLab);
export { FailscopeLab };
