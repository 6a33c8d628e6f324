// The store: the one immutable AppState, `set` (a new state, one render per animation frame) and
// `say` (the message line). Every view reads the state in `update(state, prev)` and touches only
// what changed.

/**
 * @typedef {import('./state.js').Settings} Settings
 * @typedef {import('../types.js').Frame} Frame
 * @typedef {import('../types.js').CreateResult} CreateResult
 * @typedef {import('../types.js').EpochMetrics} EpochMetrics
 * @typedef {import('../types.js').PruneResult} PruneResult
 * @typedef {import('../types.js').LevelResult} LevelResult
 * @typedef {import('../types.js').LotteryProgress} LotteryProgress
 */

/**
 * @typedef {object} Message
 * @property {'info' | 'error'} kind
 * @property {string} key                i18n key
 * @property {Record<string, string | number>} [params]
 */

/**
 * @typedef {object} Timing    a Measure: the median of `repeats` timings (ms per row) and their range
 * @property {number} msPerRow                      the median
 * @property {number} min
 * @property {number} max
 * @property {number} repeats
 * @property {number} rows                          rows per timed batch
 * @property {number} flopsDense                    the measured model's size (a timing is of that model)
 * @property {number} nonzero
 */

/**
 * @typedef {object} AppState
 * @property {Settings} settings
 * @property {CreateResult | null} info            the engine's model: data set and available methods
 * @property {number} modelSeq                      bumped whenever a new network is built
 * @property {Frame | null} frame                   the latest drawing data from the worker
 * @property {EpochMetrics[]} history
 * @property {{ epoch: number, kind: string }[]} markers   prune/rewind/reinit events on the epoch axis
 * @property {PruneResult | null} lastPrune
 * @property {LevelResult[]} lottery
 * @property {LotteryProgress | null} lotteryStep
 * @property {LevelResult[][]} lotteryTrials   every trial's results (trial 0 is `lottery`), with trials > 1; else []
 * @property {{ value: number, max: number, label: string } | null} progress
 * @property {string | null} busy                   the running action, or null
 * @property {number} done                          actions finished so far (tests wait on it)
 * @property {Message | null} message
 * @property {Timing | null} timing
 * @property {{ kind: 'rewind' | 'reinit' | 'prune' | 'none', seq: number }} transition
 * @property {string[]} steps                       pipeline steps since the last reset (for lessons)
 * @property {string | null} lesson
 * @property {number | null} cutTest   test accuracy right after the last cut (before retraining), for the lessons' tables
 * @property {[[number, number], [number, number]] | null} range   drawing range of 2D data
 * @property {import('./steplog.js').Step[]} log   model-changing steps since the network was built (URL `steps=`)
 * @property {string | null} logCut   why the log stopped recording (a step that cannot be replayed exactly)
 * @property {string | null} diverged  the divergence message while the model is in its diverged state
 *   (the "go back to the last good state" button shows)
 * @property {boolean} cancelled   Cancel was pressed during the running action (stops dispatcher-level
 *   sequences such as iterative rounds and a replay between engine calls)
 * @property {(import('./workflows.js').Sensitivity & { modelSeq: number, logLength: number, partial?: boolean }) | null} sensitivity
 *   the last sensitivity scan, and the model (network and step count) it was taken of; `partial`
 *   while its points are still arriving
 * @property {{ runs: import('./workflows.js').PaiRun[], total: number, epochs: number } | null} pai
 *   the comparison of pruning at initialization (runs done so far of `total`)
 * @property {import('./workflows.js').NmCost | null} nmCost   what 2:4 hardware would do with the current network
 * @property {boolean} lotteryCancelled   the last lottery run was cancelled: its partial runner cannot
 *   be replayed, so neither can `adopt`
 * @property {string} csvText   the uploaded CSV the current network was built from ('' for built-in data)
 * @property {'stopped' | 'csv' | null} restorePending   a restore (of the autosave or a link) did not
 *   finish: 'stopped' (cancelled or failed: Resume / Discard are offered) or 'csv' (its uploaded data
 *   is not stored: upload it again, or Discard); meanwhile the save and the link it came from stay
 *   as they were
 * @property {import('./runs.js').Run[]} runs   kept runs, compared side by side (survive new networks)
 * @property {'density' | 'epoch'} runsMode   the compare chart: accuracy vs density, or loss vs epoch
 */

/** @typedef {{ update(state: AppState, prev: AppState | null): void }} View */

/**
 * What a newly built network starts with: no frame, curves, lottery rows, step log or timing.
 * The first state and every `build` (workflows.js) take these same fields.
 */
export function freshExperiment() {
  return {
    frame: null,
    history: [],
    markers: [],
    lastPrune: null,
    cutTest: null,
    lottery: [],
    lotteryStep: null,
    lotteryTrials: [],
    timing: null,
    steps: [],
    log: [],
    logCut: null,
    diverged: null,
    lotteryCancelled: false,
    sensitivity: null,
    pai: null,
    nmCost: null,
  };
}

/**
 * The state before the first network is built.
 * @param {Settings} settings
 * @returns {AppState}
 */
export function initialState(settings) {
  return {
    ...freshExperiment(),
    settings,
    info: null,
    modelSeq: 0,
    progress: null,
    busy: 'build',
    done: 0,
    message: { kind: 'info', key: 'app.loading' },
    transition: { kind: 'none', seq: 0 },
    lesson: null,
    range: null,
    cancelled: false,
    csvText: '',
    restorePending: null,
    runs: [],
    runsMode: 'density',
  };
}

/**
 * @typedef {object} Store
 * @property {AppState} state   the current state (read-only; change it with `set`)
 * @property {(patch: Partial<AppState>) => void} set
 * @property {(kind: 'info' | 'error', key: string, params?: Record<string, string | number>) => void} say
 * @property {() => void} rerender   forces every view to redraw (e.g. canvases after a theme change)
 */

/**
 * @param {Settings} settings
 * @param {View[]} views
 * @returns {Store}
 */
export function createStore(settings, views) {
  let state = initialState(settings);
  /** @type {AppState | null} */
  let rendered = null;
  let renderQueued = false;

  function render() {
    renderQueued = false;
    const prev = rendered;
    rendered = state;
    for (const v of views) {
      try {
        v.update(state, prev);
      } catch (err) {
        console.error(err);
      }
    }
  }

  /** @param {Partial<AppState>} patch */
  function set(patch) {
    state = { ...state, ...patch };
    if (!renderQueued) {
      renderQueued = true;
      requestAnimationFrame(render);
    }
  }

  return {
    get state() {
      return state;
    },
    set,
    say(kind, key, params) {
      set({ message: { kind, key, params } });
    },
    rerender() {
      rendered = null;
      set({});
    },
  };
}
