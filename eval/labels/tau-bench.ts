/**
 * Labelled set: tau-bench airline (fixtures/tau-bench/gpt-4o-airline.tasks-0-39.json: gpt-4o, 40 tasks x 4 trials =
 * 160 runs, 59 with reward 1). Each run is a session with its reward as outcome; the user is an LLM simulator. The
 * 8-run excerpt next to it repeats runs of this file and is left out.
 *
 * How it was built. The 70 tool outputs starting `Error:` were listed with their run, tool and text, and grouped by
 * cause, counting runs; errors that say the same thing in two tools' wordings are one label (a person writes one
 * lesson for them). The workflow and contrast labels are those a careful human wrote for test/workflows.test.ts and
 * test/outcome-contrasts.test.ts (moved here; those tests import them), re-checked here by listing the tool calls of
 * every run: the escalation sequence is in 15 successful runs of 8 tasks, the flight change in 6 successful runs of
 * 3 tasks, and the failed runs that searched direct flights before changing flights are those of tasks 2, 6, 13,
 * 17, 23, 26 and 27 (13 runs, in tasks that also have successful runs).
 *
 * What a careful human expects at the default gates:
 * - tool errors: `book_reservation` "payment amount does not add up" (21 times in 12 runs);
 *   `update_reservation_flights` "flight ... not available on date ..." (15 times in 5 runs); a gift card without
 *   enough balance, in two wordings and three tools ("gift card balance is not enough", "not enough balance in
 *   payment method gift_card_...", 14 times in 8 runs); "not enough seats on flight ..." (9 times in 8 runs);
 *   "payment method not found" (4 runs); "certificate cannot be used to update reservation" (4 runs);
 * - workflows (3 successful runs needed): look the reservation up, then transfer to a human agent; and look the
 *   reservation up, then the user (for the payment methods), then `update_reservation_flights`;
 * - outcome contrasts (within tasks): failed runs search direct flights and then change the reservation's flights
 *   (13 of 49 failed runs, 1 of 35 successful);
 * - corrections: none. The user is simulated by an LLM; nothing it says is a person's instruction;
 * - memory hygiene: the planted case below (the fixtures hold no memory file; docs/evaluation.md).
 *
 * What a careful human would NOT count: "payment method certificate_... not found" (3 times, one run: task 0, trial
 * 3); pooled over tasks, the task mix ("calls `book_reservation`" in 22 failed runs and 1 successful: booking tasks
 * are hard; "calls `transfer_to_human_agents`" in 20 successful runs: escalation tasks are easy); the errors as
 * outcome contrasts (not significant once every feature is tested); and as workflows, the look-up prefix every run
 * does (`get_user_details` then `get_reservation_details`), cancellations (7 of 25 passed), flight search then
 * update (6 of 32) and booking (0 of 16 passed).
 */
import type { CorpusLabels } from './types.js';

/** The runs of the given tasks and trials, as session id ends. */
function runs(...items: readonly [task: number, trials: readonly number[]][]): string[] {
  return items.flatMap(([task, trials]) => trials.map((trial) => `/task-${task}/trial-${trial}`));
}

export const tauBenchLabels: CorpusLabels = {
  corpus: 'tau-bench',
  labels: [
    {
      miner: 'tool-errors',
      id: 'tau-payment-does-not-add-up',
      description: '`book_reservation` paying less or more than the total: "payment amount does not add up"',
      tools: ['book_reservation'],
      signature: /payment amount does not add up/i,
      sessions: runs([0, [0, 1, 2, 3]], [8, [1]], [9, [2]], [11, [0, 1, 2, 3]], [25, [1, 2]]),
      expectation: 'required',
    },
    {
      miner: 'tool-errors',
      id: 'tau-flight-not-available',
      description:
        '`update_reservation_flights` to a flight that does not fly that day: "not available on date"',
      tools: ['update_reservation_flights'],
      signature: /not available on date/i,
      sessions: runs([13, [0, 1, 2, 3]], [33, [2]]),
      expectation: 'required',
    },
    {
      miner: 'tool-errors',
      id: 'tau-gift-card-balance',
      description: 'paying with a gift card whose balance is too low (two wordings, three tools)',
      tools: ['update_reservation_flights', 'update_reservation_baggages', 'book_reservation'],
      signature: /gift card balance is not enough|not enough balance in payment method gift_card/i,
      sessions: runs([23, [1, 2, 3]], [3, [0, 2, 3]], [32, [0]], [4, [2]]),
      expectation: 'required',
    },
    {
      miner: 'tool-errors',
      id: 'tau-not-enough-seats',
      description: 'a flight without enough seats: "not enough seats on flight"',
      tools: ['update_reservation_flights', 'book_reservation'],
      signature: /not enough seats on flight/i,
      sessions: runs([15, [0, 1, 2, 3]], [19, [3]], [3, [0, 1]], [32, [0]]),
      expectation: 'required',
    },
    {
      miner: 'tool-errors',
      id: 'tau-payment-method-not-found',
      description:
        '`update_reservation_flights` with a payment id the user does not have: "payment method not found"',
      tools: ['update_reservation_flights'],
      signature: /^payment method not found/i,
      sessions: runs([20, [1, 3]], [26, [0, 2]]),
      expectation: 'required',
    },
    {
      miner: 'tool-errors',
      id: 'tau-certificate-update',
      description:
        'paying a flight change with a certificate: "certificate cannot be used to update reservation"',
      tools: ['update_reservation_flights'],
      signature: /certificate cannot be used/i,
      sessions: runs([20, [1]], [23, [1, 3]], [3, [0]]),
      expectation: 'required',
    },
    {
      miner: 'tool-errors',
      id: 'tau-certificate-not-found',
      description:
        '"payment method certificate_... not found": three times in one run only (task 0, trial 3)',
      tools: null,
      signature: /payment method certificate_/i,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'workflows',
      id: 'tau-workflow-escalate',
      description: 'look the reservation up, then transfer to a human agent',
      steps: ['get_reservation_details', 'transfer_to_human_agents'],
      sessions: runs(
        [12, [1]],
        [13, [2]],
        [18, [0, 1, 2]],
        [20, [1, 2, 3]],
        [21, [2, 3]],
        [24, [1]],
        [37, [2]],
        [38, [0, 1, 3]],
      ),
      expectation: 'required',
    },
    {
      miner: 'workflows',
      id: 'tau-workflow-change-flights',
      description: 'look the reservation up, then the user (payment methods), then change the flights',
      steps: ['get_reservation_details', 'get_user_details', 'update_reservation_flights'],
      sessions: runs([20, [1, 3]], [26, [0, 2]], [34, [0, 1]]),
      expectation: 'required',
    },
    {
      miner: 'workflows',
      id: 'tau-workflow-lookup-prefix',
      description: 'the look-up every run does (27 of 82 runs that did it passed)',
      steps: ['get_user_details', 'get_reservation_details'],
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'workflows',
      id: 'tau-workflow-cancel',
      description: 'cancellation (7 of 25 passed: failed runs cancelled what policy did not allow)',
      steps: ['get_user_details', 'get_reservation_details', 'cancel_reservation'],
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'workflows',
      id: 'tau-workflow-search-update',
      description: 'flight search then `update_reservation_flights` (6 of 32 passed)',
      steps: ['search_direct_flight', 'update_reservation_flights'],
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'workflows',
      id: 'tau-workflow-booking',
      description: 'booking: no booking run passed but one',
      steps: null,
      containing: 'book_reservation',
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'outcome-contrasts',
      id: 'tau-contrast-search-then-update',
      description: 'failed runs search direct flights, then change the flights (within tasks)',
      feature: 'order|search_direct_flight|update_reservation_flights',
      direction: 'avoid',
      sessions: runs(
        [2, [1, 3]],
        [6, [3]],
        [13, [0, 3]],
        [17, [2]],
        [23, [1, 2, 3]],
        [26, [1, 3]],
        [27, [0, 3]],
      ),
      expectation: 'required',
    },
    {
      miner: 'outcome-contrasts',
      id: 'tau-contrast-booking-task-mix',
      description: 'pooled task mix: booking tasks are hard',
      feature: 'tool|book_reservation',
      direction: null,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'outcome-contrasts',
      id: 'tau-contrast-escalation-task-mix',
      description: 'pooled task mix: escalation tasks are easy',
      feature: 'tool|transfer_to_human_agents',
      direction: null,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'outcome-contrasts',
      id: 'tau-contrast-errors',
      description: 'the errors, not significant once every feature is tested',
      feature: /^error\|/,
      direction: null,
      sessions: [],
      expectation: 'must-not-find',
    },
    {
      miner: 'user-corrections',
      id: 'tau-no-correction',
      description: 'no correction: the user is an LLM simulator',
      words: [],
      sessions: [],
      expectation: 'must-not-find',
    },
  ],
  hygiene: {
    plants: [
      {
        id: 'tau-hygiene-copy',
        description: "the person pastes the escalation workflow into their own notes: remove Reverie's copy",
        entry: /To transfer to human agents/,
        wording: null,
        expectation: 'required',
      },
      {
        id: 'tau-hygiene-restated',
        description: 'the person restates the "payment method not found" entry without its count',
        entry: /payment method not found/,
        wording:
          'When `update_reservation_flights` fails with "payment method not found", what worked was `get_user_details`, then `update_reservation_flights` again with a different `payment_id`.',
        expectation: 'required',
      },
      {
        id: 'tau-hygiene-paraphrase',
        description: 'the person says what the flight-change workflow says in their own words',
        entry: /To update reservation flights/,
        wording:
          "To change a reservation's flights, look up the reservation (`get_reservation_details`), then the user's payment methods (`get_user_details`), then call `update_reservation_flights`.",
        expectation: 'acceptable',
        note: 'the hygiene miner merges near-identical wording only (src/mining/entry-similarity.ts): a free paraphrase is below its gate',
      },
    ],
    neutralLines: ['Confirm the change with the user before calling any tool that writes.'],
  },
};
