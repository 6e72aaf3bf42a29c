// What a learner has done in the lessons, kept in this browser (localStorage) and nowhere
// else: no account, no server. It keeps the learner's own seed (the numbers they get
// when a link brings none), and for each lesson and seed the answers accepted so far,
// task by task. Where the browser keeps nothing (storage off, a private window that
// refuses it) the progress lives as long as the page, and `saved` says so.

const KEY = "chainrule-lessons";
const VERSION = 1;

export class Progress {
  /** `storage`: a Web Storage (localStorage by default; anything with getItem/setItem). */
  constructor(storage = defaultStorage()) {
    this.storage = storage;
    this.saved = Boolean(storage);
    this.data = this.load();
  }

  load() {
    try {
      const d = JSON.parse(this.storage && this.storage.getItem(KEY));
      if (d && d.version === VERSION && typeof d.lessons === "object") return d;
    } catch (e) {
      // unreadable: start afresh
    }
    return { version: VERSION, seed: null, lessons: {} };
  }

  write() {
    if (!this.storage) return;
    try {
      this.storage.setItem(KEY, JSON.stringify(this.data));
    } catch (e) {
      this.saved = false;      // full, or refused: the progress stays in the page
    }
  }

  /** The learner's own seed: drawn once, kept. */
  get seed() {
    if (!this.data.seed) this.newSeed();
    return this.data.seed;
  }

  /** Draws the learner a new seed (new numbers in every lesson) and returns it. */
  newSeed() {
    this.data.seed = randomSeed();
    this.write();
    return this.data.seed;
  }

  /** The record of task `t` of lesson `key` with seed `seed`, or null:
   * {answers: [the accepted answers, in order], shown: [whether each was shown],
   *  done: bool, right: bool (a nudge's prediction)}. */
  task(key, seed, t) {
    const l = this.data.lessons[at(key, seed)];
    return (l && l[t]) || null;
  }

  /** Keeps `record` as task `t`'s of lesson `key` with seed `seed`. */
  setTask(key, seed, t, record) {
    const k = at(key, seed);
    this.data.lessons[k] = { ...this.data.lessons[k], [t]: record };
    this.write();
  }

  /** Forgets task `t` (every task when `t` is null) of lesson `key` with seed `seed`. */
  clear(key, seed, t = null) {
    const k = at(key, seed);
    if (t === null) delete this.data.lessons[k];
    else if (this.data.lessons[k]) delete this.data.lessons[k][t];
    this.write();
  }

  /** How many of the tasks numbered `tasks` are done, in lesson `key` with seed `seed`. */
  done(key, seed, tasks) {
    return tasks.filter((t) => (this.task(key, seed, t) || {}).done).length;
  }
}

/** A lesson's key with its seed: progress is kept per set of numbers. */
function at(key, seed) {
  return `${key}@${seed}`;
}

function defaultStorage() {
  try {
    const s = window.localStorage;
    s.getItem(KEY);
    return s;
  } catch (e) {
    return null;
  }
}

/** A seed from 1 to 2³² − 1. */
function randomSeed() {
  const a = new Uint32Array(1);
  while (!a[0]) crypto.getRandomValues(a);
  return a[0];
}

/** A short fingerprint of a text (FNV-1a, 32 bits, hex): a teacher's lesson is known by
 * its name and this, so a changed lesson starts afresh. */
export function fingerprint(text) {
  let x = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    x ^= text.charCodeAt(i);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x.toString(16).padStart(8, "0");
}
