// Progress of an import: images done of the plan, a rate over the last
// seconds (so a stall shows soon and an early burst fades), and the time
// left at that rate. Events are throttled: one per 250 ms at most, plus
// the phase changes and the last one.
import type { ImportProgress } from './types';

const WINDOW_MS = 10_000;
const EVERY_MS = 250;

export class ProgressMeter {
  private readonly samples: { t: number; done: number }[] = [];
  private lastSent = -Infinity;

  constructor(
    private readonly total: number,
    done: number,
    private readonly send: (progress: ImportProgress) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.samples.push({ t: this.now(), done });
    this.emit('importing', done);
  }

  static phase(phase: ImportProgress['phase']): ImportProgress {
    return {
      phase,
      imagesDone: 0,
      imagesTotal: 0,
      imagesPerSecond: 0,
      secondsLeft: null,
    };
  }

  update(done: number): void {
    const t = this.now();
    this.samples.push({ t, done });
    while (this.samples.length > 2 && t - this.samples[0]!.t > WINDOW_MS) {
      this.samples.shift();
    }
    if (t - this.lastSent >= EVERY_MS) this.emit('importing', done);
  }

  done(done: number): void {
    this.emit('done', done);
  }

  /** Images per second over the window; 0 until time has passed. */
  rate(): number {
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const seconds = (last.t - first.t) / 1000;
    return seconds > 0 ? (last.done - first.done) / seconds : 0;
  }

  private emit(phase: ImportProgress['phase'], done: number): void {
    this.lastSent = this.now();
    const rate = this.rate();
    const left = this.total - done;
    this.send({
      phase,
      imagesDone: done,
      imagesTotal: this.total,
      imagesPerSecond: rate,
      secondsLeft: phase === 'done' ? 0 : rate > 0 ? left / rate : null,
    });
  }
}
