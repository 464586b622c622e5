// Types for embed.js: the <failscope-lab> custom element.

/** What the embedded lab last reported. Times are seconds of simulated time. */
export interface FailscopeLabState {
  /** The lab's id, e.g. "raft". */
  lab: string;
  time: number;
  playing: boolean;
  /** How many of the lab's checks have been violated so far. */
  violations: number;
  /** The window of time the embed is kept in (`from`/`to`); `to` is null without one. */
  from: number;
  to: number | null;
}

export type FailscopeLabControls = 'full' | 'minimal' | 'none';

/** `<failscope-lab>`: a Failscope lab in an iframe, made when it comes near the screen. */
export declare class FailscopeLab extends HTMLElement {
  static readonly observedAttributes: string[];
  /** The last state the lab reported, or null before it is ready. */
  readonly state: FailscopeLabState | null;
  /** The embed's address for the current attributes. */
  readonly src: string;
  play(): void;
  pause(): void;
  /** Advance by one event. */
  step(): void;
  /** Move to `seconds` of simulated time (kept inside the from/to window). */
  seek(seconds: number): void;
  /** Open another run: a share link, or its `#s=` payload. */
  load(link: string): void;
  addEventListener<K extends keyof FailscopeLabEventMap>(type: K, listener: (this: FailscopeLab, ev: FailscopeLabEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

export interface FailscopeLabEventMap extends HTMLElementEventMap {
  /** The lab is on screen (once per run it opens). */
  ready: CustomEvent<FailscopeLabState>;
  /** Playback started or stopped, it moved, or a second passed while playing. */
  statechange: CustomEvent<FailscopeLabState>;
  /** One more of the lab's checks was violated. */
  violation: CustomEvent<FailscopeLabState>;
}

declare global {
  interface HTMLElementTagNameMap {
    'failscope-lab': FailscopeLab;
  }
}
