// <failscope-lab>: a Failscope lab as one tag in any page.
//
//   <script type="module" src="https://example.org/failscope/embed.js"></script>
//   <failscope-lab lab="raft" preset="election"></failscope-lab>
//   <failscope-lab link="https://example.org/failscope/#s=1.…" autoplay></failscope-lab>
//
// The element makes the embed iframe only when it comes near the screen (or at once with
// loading="eager"), so a long article with many labs loads none it is not showing. The app
// itself pauses when it is scrolled away or its tab is hidden, and honours reduced motion.
// The iframe is the app beside this script (`?embed`), so the tag works wherever the app is
// hosted, under any path.

const APP = new URL('./', import.meta.url);

class FailscopeLab extends HTMLElement {
  static observedAttributes = ['lab', 'preset', 'seed', 'link', 'autoplay', 'theme'];

  #frame = null;
  #observer = null;
  #state = null;
  #violations = 0;
  #onMessage = (event) => this.#receive(event);

  /** The last state the lab reported: { lab, time, playing, violations }, or null. */
  get state() { return this.#state; }

  play() { this.#send({ failscope: 'play' }); }
  pause() { this.#send({ failscope: 'pause' }); }
  /** Move to `seconds` of simulated time. */
  seek(seconds) {
    const s = Number(seconds);
    if (Number.isFinite(s) && s >= 0) this.#send({ failscope: 'seek', time_us: Math.round(s * 1e6) });
  }

  connectedCallback() {
    if (!this.style.display) this.style.display = 'block';
    window.addEventListener('message', this.#onMessage);
    if (this.#frame) return;
    // Until the lab is made, say what will be here, at the height it will take.
    const placeholder = document.createElement('div');
    placeholder.style.cssText = `height:${this.getAttribute('height') ?? '470px'};display:flex;align-items:center;justify-content:center;font:14px system-ui,sans-serif;color:#666`;
    const what = this.getAttribute('link') ? 'a shared run' : [this.getAttribute('lab'), this.getAttribute('preset')].filter(Boolean).join(' · ');
    placeholder.textContent = `Failscope lab: ${what} (loads when it comes into view)`;
    this.replaceChildren(placeholder);
    if (this.getAttribute('loading') === 'eager' || !('IntersectionObserver' in window)) {
      this.#load();
    } else {
      this.#observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) this.#load();
      }, { rootMargin: '200px' });
      this.#observer.observe(this);
    }
  }

  disconnectedCallback() {
    window.removeEventListener('message', this.#onMessage);
    this.#observer?.disconnect();
    this.#observer = null;
  }

  attributeChangedCallback() {
    if (this.#frame) this.#frame.src = this.src;
  }

  /** The embed's address for the current attributes. */
  get src() {
    const url = new URL('./', APP);
    url.search = 'embed';
    const theme = this.getAttribute('theme');
    if (theme === 'dark' || theme === 'light') url.search += `&theme=${theme}`;
    const link = this.getAttribute('link');
    const parts = [];
    if (link) {
      const hash = link.includes('#') ? link.slice(link.indexOf('#') + 1) : link;
      parts.push(hash);
    } else {
      parts.push(`lab=${encodeURIComponent(this.getAttribute('lab') ?? '')}`);
      const preset = this.getAttribute('preset');
      if (preset) parts.push(`preset=${encodeURIComponent(preset)}`);
      const seed = this.getAttribute('seed');
      if (seed) parts.push(`seed=${encodeURIComponent(seed)}`);
    }
    if (this.hasAttribute('autoplay')) parts.push('autoplay');
    url.hash = parts.join('&');
    return url.href;
  }

  #load() {
    this.#observer?.disconnect();
    this.#observer = null;
    const frame = document.createElement('iframe');
    frame.title = this.getAttribute('title') ?? `Failscope: ${this.getAttribute('lab') ?? 'a shared run'}`;
    frame.style.cssText = `width:100%;height:${this.getAttribute('height') ?? '470px'};border:0;display:block`;
    frame.src = this.src;
    this.#frame = frame;
    this.replaceChildren(frame);
  }

  #send(message) {
    this.#frame?.contentWindow?.postMessage(message, APP.origin);
  }

  #receive(event) {
    const d = event.data;
    if (!this.#frame || event.source !== this.#frame.contentWindow || event.origin !== APP.origin) return;
    if (!d || typeof d !== 'object' || typeof d.failscope !== 'string') return;
    this.#state = {
      lab: String(d.lab ?? ''),
      time: Number(d.time_us ?? 0) / 1e6,
      playing: Boolean(d.playing),
      violations: Number(d.violations ?? 0),
    };
    if (d.failscope === 'ready') this.dispatchEvent(new CustomEvent('ready', { detail: this.#state }));
    this.dispatchEvent(new CustomEvent('statechange', { detail: this.#state }));
    if (this.#state.violations > this.#violations) {
      this.dispatchEvent(new CustomEvent('violation', { detail: this.#state }));
    }
    this.#violations = this.#state.violations;
  }
}

if (!customElements.get('failscope-lab')) customElements.define('failscope-lab', FailscopeLab);
