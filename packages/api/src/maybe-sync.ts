/**
 * A value at hand, or a promise of it. A poll's path (guard, seat check, cached records)
 * answers synchronously when everything it needs is in this process: each promise and
 * await there costs, since async hooks fire on every one.
 */
export type MaybePromise<T> = T | Promise<T>;

/** `next(value)` now when `value` is at hand, else once it resolves; what `next` throws then rejects. */
export function andThen<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
