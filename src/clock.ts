// The wall clock, injected wherever time is read so that tests can drive it.

/** Wall clock the tests can drive. `now()` is epoch ms; `date()` the same instant. */
export interface Clock {
  now(): number;
  date(): Date;
}

export const systemClock: Clock = { now: () => Date.now(), date: () => new Date() };
