// Pruning Playground — page script. The WebAssembly module lives in worker.js; this file only
// reads the form, talks to the worker and draws the loss per epoch.

/**
 * @typedef {import('./types.js').EpochMetrics} EpochMetrics
 * @typedef {import('./types.js').PlaygroundConfig} PlaygroundConfig
 * @typedef {import('./types.js').WorkerMessage} WorkerMessage
 */

/**
 * @template {Element} T
 * @param {string} selector
 * @param {new (...args: any[]) => T} type
 * @returns {T}
 */
function $(selector, type) {
  const el = document.querySelector(selector);
  if (!(el instanceof type)) throw new Error(`missing element ${selector}`);
  return el;
}

const form = $('#controls', HTMLFormElement);
const trainButton = $('#train', HTMLButtonElement);
const stopButton = $('#stop', HTMLButtonElement);
const statusLine = $('#status', HTMLElement);
const canvas = $('#loss-chart', HTMLCanvasElement);
const tbody = $('#epochs tbody', HTMLTableSectionElement);

/** @type {EpochMetrics[]} */
let history = [];
/** @type {Worker} */
let worker;
let wasmReady = false;
let totalEpochs = 0;

/**
 * @param {'idle' | 'training' | 'done' | 'error'} state
 * @param {string} text
 */
function setState(state, text) {
  document.body.dataset.state = state;
  statusLine.textContent = text;
  trainButton.disabled = state === 'training' || !wasmReady;
  stopButton.disabled = state !== 'training';
}

/** @param {number} x */
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(4) : String(x));
/** @param {number} x */
const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : String(x));

function startWorker() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.addEventListener('message', (/** @type {MessageEvent<WorkerMessage>} */ event) => onMessage(event.data));
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    setState('error', `Worker error: ${event.message || 'failed to start'}`);
  });
}

/** @param {WorkerMessage} msg */
function onMessage(msg) {
  switch (msg.type) {
    case 'ready':
      wasmReady = true;
      if (history.length === 0) setState('idle', 'Ready.');
      else trainButton.disabled = document.body.dataset.state === 'training';
      break;
    case 'epoch':
      history.push(msg.metrics);
      appendRow(msg.metrics);
      drawChart();
      statusLine.textContent =
        `Epoch ${msg.metrics.epoch} of ${totalEpochs}: train loss ${fmt(msg.metrics.trainLoss)}, ` +
        `test loss ${fmt(msg.metrics.testLoss)}`;
      break;
    case 'done':
      setState(
        'done',
        `Done: ${history.length} epochs in ${(msg.ms / 1000).toFixed(2)} s. ` +
          `Test loss ${fmt(msg.evaluation.testLoss)}, test accuracy ${pct(msg.evaluation.testAccuracy)}.`,
      );
      break;
    case 'error':
      setState('error', `Error: ${msg.message}`);
      break;
  }
}

/** @param {EpochMetrics} m */
function appendRow(m) {
  const tr = document.createElement('tr');
  tr.dataset.trainLoss = String(m.trainLoss);
  tr.dataset.testLoss = String(m.testLoss);
  for (const text of [String(m.epoch), fmt(m.trainLoss), fmt(m.testLoss), pct(m.trainAccuracy), pct(m.testAccuracy)]) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  tbody.append(tr);
}

/** @returns {{ config: PlaygroundConfig, epochs: number }} */
function readForm() {
  const data = new FormData(form);
  const str = (/** @type {string} */ name) => String(data.get(name) ?? '').trim();
  const hidden = str('hidden')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const seed = Number(str('seed'));
  return {
    config: {
      dataset: { kind: str('dataset'), noise: 0.1, trainFraction: 0.5, samples: 500, seed },
      hidden,
      activation: str('activation'),
      optimizer: 'sgd',
      learningRate: Number(str('learningRate')),
      batchSize: Number(str('batchSize')),
      seed,
    },
    epochs: Math.max(1, Math.floor(Number(str('epochs')))),
  };
}

function drawChart() {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  const pad = { left: 52, right: 12, top: 12, bottom: 28 };
  const style = getComputedStyle(document.documentElement);
  const ink = getComputedStyle(document.body).color;
  ctx.clearRect(0, 0, width, height);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = ink;
  ctx.strokeStyle = ink;

  const n = Math.max(totalEpochs, history.length, 2);
  const values = history.flatMap((m) => [m.trainLoss, m.testLoss]).filter(Number.isFinite);
  const yMax = values.length ? Math.max(...values) * 1.05 : 1;
  const x = (/** @type {number} */ i) => pad.left + (i / (n - 1)) * (width - pad.left - pad.right);
  const y = (/** @type {number} */ v) => height - pad.bottom - (v / yMax) * (height - pad.top - pad.bottom);

  // Axes and labels.
  ctx.beginPath();
  ctx.moveTo(pad.left, pad.top);
  ctx.lineTo(pad.left, height - pad.bottom);
  ctx.lineTo(width - pad.right, height - pad.bottom);
  ctx.stroke();
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of [0, yMax / 2, yMax]) ctx.fillText(v.toFixed(3), pad.left - 6, y(v));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText('epoch', (pad.left + width - pad.right) / 2, height - pad.bottom + 8);
  ctx.fillText('1', x(0), height - pad.bottom + 8);
  ctx.fillText(String(n), x(n - 1), height - pad.bottom + 8);

  /** @param {(m: EpochMetrics) => number} pick @param {string} color */
  const line = (pick, color) => {
    ctx.beginPath();
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    history.forEach((m, i) => (i === 0 ? ctx.moveTo(x(i), y(pick(m))) : ctx.lineTo(x(i), y(pick(m)))));
    ctx.stroke();
    ctx.lineWidth = 1;
  };
  line((m) => m.trainLoss, style.getPropertyValue('--train').trim() || '#1f77b4');
  line((m) => m.testLoss, style.getPropertyValue('--test').trim() || '#ff7f0e');
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!form.reportValidity()) return;
  const { config, epochs } = readForm();
  history = [];
  totalEpochs = epochs;
  tbody.replaceChildren();
  drawChart();
  setState('training', `Training for ${epochs} epochs…`);
  worker.postMessage({ type: 'train', config, epochs });
});

stopButton.addEventListener('click', () => {
  // A worker busy in wasm cannot be interrupted politely: replace it.
  worker.terminate();
  wasmReady = false;
  startWorker();
  setState('idle', `Stopped after ${history.length} epochs.`);
});

startWorker();
setState('idle', 'Loading the WebAssembly module…');
drawChart();
