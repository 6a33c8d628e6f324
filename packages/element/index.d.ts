// Types of the `pruning-playground` package: the <pruning-playground> custom element, defined when
// the module is imported. The full reference (every attribute, property, method and event, with
// examples) is docs/element.md in the repository; tests/node/element-docs.test.mjs keeps this file's
// attribute, method and event names equal to the element's.

/** Attributes that are settings: the URL keys of the playground's link (`layers` is the hidden widths). */
export type ConfigAttribute =
  | 'data' | 'noise' | 'split' | 'val' | 'layers' | 'act' | 'winit' | 'opt' | 'lr' | 'batch'
  | 'l1' | 'l2' | 'shift' | 'seed' | 'ep' | 'k' | 'st' | 'sc' | 'scope' | 'nm' | 'sched' | 'rounds' | 'init'
  | 'frac' | 'out' | 'rates' | 'rt' | 'lv' | 'lep' | 'tr' | 'ctl' | 'lang' | 'theme';

/** Every attribute the element reads. */
export type PruningPlaygroundAttribute =
  | ConfigAttribute | 'steps' | 'preset' | 'controls' | 'views' | 'height' | 'page';

export type Preset =
  | 'lottery' | 'structured-vs-unstructured' | 'global-vs-local' | 'one-shot-vs-iterative'
  | 'frankle-carbin-lenet';

export type View =
  | 'network' | 'boundary' | 'neurons' | 'training' | 'curve' | 'masks' | 'density' | 'toolkit'
  | 'histogram' | 'costs' | 'runs' | 'lessons';

/** One epoch's metrics (the `epoch` event's detail, `state.history`'s rows). */
export interface EpochMetrics {
  epoch: number;
  step: number;
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** On the validation split; null without one. */
  valLoss: number | null;
  valAccuracy: number | null;
}

/** A prune's result (the `pruned` event's detail and `state.lastPrune`). */
export interface PruneResult {
  structure?: string;
  removed?: number;
  remaining?: number;
  /** Fraction of the weights alive after the prune. */
  density?: number;
  layerDensity?: number[];
  removedPerLayer?: number[];
  threshold?: number;
}

/** A finished lottery level of one branch (the `level` event's detail, `state.lottery`'s rows). */
export interface LevelResult {
  branch: string;
  level: number;
  density: number;
  layerDensity: number[];
  testAccuracy: number;
  earlyStopEpoch: number | null;
  earlyStopStep: number | null;
  earlyStopTestAccuracy: number | null;
  maskAnalysis: Record<string, unknown> | null;
  diverged: boolean;
  epochs: number;
}

/** The experiment now (copies): what every method resolves with. */
export interface PruningPlaygroundState {
  /** Every setting by its key (dataset, hidden, learningRate, fraction, …). */
  settings: Record<string, unknown>;
  history: EpochMetrics[];
  lastPrune: PruneResult | null;
  lottery: LevelResult[];
  /** The running action, or null when idle. */
  busy: string | null;
  epoch: number;
  trainAccuracy: number | null;
  testAccuracy: number | null;
  density: number | null;
  /** The message shown, in the element's language ('' when none). */
  message: string;
}

/** One point of a layer's sensitivity curve: the layer at `sparsity` (`zeros` of its weights at 0). */
export interface SensitivityPoint {
  sparsity: number;
  zeros: number;
  loss: number;
  accuracy: number;
}

/** The per-layer sensitivity scan (`sensitivity()`). */
export interface SensitivityScan {
  split: string;
  base: { loss: number; accuracy: number };
  /** One curve per layer (docs/api.md, "The toolkit"). */
  curves: { layer: number; weights: number; alive: number; points: SensitivityPoint[] }[];
}

/** A kept run (`runs`, the `runkept` event's detail). */
export interface KeptRun {
  id: string;
  /** The learner's name, or the automatic one (from the settings that differ between runs). */
  name: string;
  /** The name is the learner's own (else automatic). */
  custom: boolean;
  /** What kept it when a later run of the same kind replaces it (a lesson's arm), else null. */
  tag: string | null;
  pinned: boolean;
  /** Overlaid in the compare chart. */
  shown: boolean;
  /** When it was kept (ms since 1970). */
  at: number;
  settings: Record<string, unknown>;
  /** Its step log: replays the model. */
  steps: string;
  history: Record<string, unknown>[];
  lottery: Record<string, unknown>[];
  density: number | null;
  testAccuracy: number | null;
}

/** One run of the pruning-at-initialization comparison (`comparePruningAtInit()`). */
export interface PaiRun {
  method: 'snip' | 'grasp' | 'synflow' | 'magnitude' | 'random';
  /** null for the method itself, else its sanity check. */
  control: 'shuffle' | 'reinit' | null;
  density: number;
  actualDensity: number;
  /** The early-stopping epoch (least validation loss). */
  bestEpoch: number;
  valAccuracy: number | null;
  testAccuracy: number;
}

/** Settings by key or URL key, e.g. `{ fraction: 0.5, scope: 'layer' }` or `{ frac: 0.5 }`. */
export type SettingsSpec = Record<string, unknown>;

export interface PruningPlaygroundEventMap extends Omit<HTMLElementEventMap, 'error'> {
  epoch: CustomEvent<EpochMetrics>;
  pruned: CustomEvent<PruneResult>;
  rewound: CustomEvent<{ to: number }>;
  level: CustomEvent<LevelResult>;
  'lottery-done': CustomEvent<{ history: LevelResult[] }>;
  runkept: CustomEvent<{ run: KeptRun; name: string }>;
  /** One point of a running sensitivity scan, as it is measured (`done` of `total`). */
  scanpoint: CustomEvent<{ layer: number; point: SensitivityPoint; done: number; total: number }>;
  /** `error`'s detail: the action that failed and the message (the element's language). */
  error: CustomEvent<{ action: string; error: string }>;
}

export declare class PruningPlayground extends HTMLElement {
  static readonly observedAttributes: string[];
  /** Resolves once the first network is built (and `steps` replayed). */
  readonly ready: Promise<void>;
  /** The experiment now; null before the element has connected. */
  readonly state: PruningPlaygroundState | null;
  /** The kept runs, each with its display name. */
  readonly runs: KeptRun[];
  /** Trains `epochs` epochs (default: the `ep` setting). */
  train(epochs?: number): Promise<PruningPlaygroundState>;
  /** Trains the pruned network further, mask kept (default: the `rt` setting). */
  retrain(epochs?: number): Promise<PruningPlaygroundState>;
  /** Prunes a fraction of the remaining weights, or by settings ({ fraction, scope, structure, score, schedule, rounds, initMode, outputRate, layerRates }). */
  prune(spec?: number | SettingsSpec): Promise<PruningPlaygroundState>;
  /** 2:4 semi-structured pruning of every layer (settings, e.g. { score }). */
  pruneNM(spec?: SettingsSpec): Promise<PruningPlaygroundState>;
  /** The per-layer sensitivity scan of the network as it is (model unchanged); null when stopped. */
  sensitivity(): Promise<SensitivityScan | null>;
  /** Survivors back to their values at initialisation (θ₀). */
  rewind(): Promise<PruningPlaygroundState>;
  /** Survivors get fresh random values (the random-reinit control). */
  reinit(): Promise<PruningPlaygroundState>;
  /** Back to the dense network at θ₀. */
  reset(): Promise<PruningPlaygroundState>;
  /** The lottery experiment: a level count or settings ({ levels, fraction, lotteryEpochs, controls, … }). */
  runLottery(spec?: number | SettingsSpec): Promise<PruningPlaygroundState>;
  /** Pruning at initialization compared (Frankle et al. 2021), each method beside its shuffled-mask and reinit controls. */
  comparePruningAtInit(spec?: SettingsSpec): Promise<PaiRun[]>;
  /** Keeps the experiment now as a run (named `name`, else automatically). */
  keepRun(name?: string): Promise<KeptRun | null>;
  /** Removes a kept run. */
  removeRun(id: string): Promise<KeptRun[]>;
  /** Overlays exactly these runs in the compare chart. */
  compareRuns(ids: string[], mode?: 'density' | 'epoch'): Promise<KeptRun[]>;

  addEventListener<K extends keyof PruningPlaygroundEventMap>(type: K, listener: (this: PruningPlayground, ev: PruningPlaygroundEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof PruningPlaygroundEventMap>(type: K, listener: (this: PruningPlayground, ev: PruningPlaygroundEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** The views an element can show (its `views` attribute). */
export declare const VIEWS: readonly View[];
/** The buttons its `controls` attribute can name (name → the action it runs). */
export declare const BUTTONS: Readonly<Record<string, string>>;
/** The settings an element's attributes describe, and a message per invalid attribute. */
export declare function settingsFromAttributes(el: Element): { settings: Record<string, unknown>; problems: string[]; preset: unknown };

declare global {
  interface HTMLElementTagNameMap {
    'pruning-playground': PruningPlayground;
  }
}
