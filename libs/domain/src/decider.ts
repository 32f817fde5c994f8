/**
 * The shape of every piece of business logic (after Emmett): a command and the current state
 * decide which events happen; events evolve the state. Both are pure, so replaying the same
 * events always yields the same state.
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): readonly Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** Folds events into a state with a decider's `evolve`. */
export function fold<Event, State>(
  evolve: (state: State, event: Event) => State,
  initial: State,
  events: Iterable<Event>,
): State {
  let state = initial;
  for (const event of events) state = evolve(state, event);
  return state;
}

/** Exhaustiveness guard for `switch` on discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
