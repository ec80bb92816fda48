// The one timer behind every supervisor's watchdog.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { everySecond } from '../../src/relay/watchdog-clock.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('everySecond', () => {
  it('runs every check once a second from a single timer, until each is stopped', () => {
    vi.useFakeTimers();
    const calls = { a: 0, b: 0 };
    const stopA = everySecond(() => calls.a++);
    const stopB = everySecond(() => calls.b++);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(3000);
    expect(calls).toEqual({ a: 3, b: 3 });
    stopA();
    vi.advanceTimersByTime(2000);
    expect(calls).toEqual({ a: 3, b: 5 });
    stopB();
    expect(vi.getTimerCount(), 'no timer left once nothing is watched').toBe(0);
  });

  it('does not run a check that another one stopped in the same round', () => {
    vi.useFakeTimers();
    let first = 0;
    let ran = 0;
    let stopSecond = (): void => undefined;
    const stopFirst = everySecond(() => {
      first++;
      stopSecond();
    });
    stopSecond = everySecond(() => ran++);
    vi.advanceTimersByTime(1000);
    expect(first, 'the round ran').toBe(1);
    expect(ran).toBe(0);
    stopFirst();
    expect(vi.getTimerCount()).toBe(0);
  });
});
