// playground-js: a small engine in the style of TF Playground's design, written for this
// benchmark (not TF Playground's code): one object per neuron and per link, f64 numbers,
// a forward and a backward pass per sample, gradients accumulated over the batch and applied
// (averaged) at its end. It is the engine most in-browser neural-network demos use.
//
// The loss is the core's (src/train/loss.rs): MSE averaged over batch × outputs (targets lo/hi,
// one output for two classes) or softmax cross-entropy averaged over the batch, so the numbers
// are comparable with the other engines.

/** @typedef {'relu' | 'tanh' | 'sigmoid' | 'linear'} Act */

/** @type {Record<Act, { f: (x: number) => number, df: (x: number, y: number) => number }>} */
const ACTS = {
  relu: { f: (x) => (x > 0 ? x : 0), df: (x) => (x > 0 ? 1 : 0) },
  tanh: { f: Math.tanh, df: (_x, y) => 1 - y * y },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), df: (_x, y) => y * (1 - y) },
  linear: { f: (x) => x, df: () => 1 },
};

class Neuron {
  /** @param {Act} act */
  constructor(act) {
    this.act = ACTS[act];
    /** @type {Link[]} */
    this.inputs = [];
    /** @type {Link[]} */
    this.outputs = [];
    this.bias = 0;
    this.total = 0;
    this.output = 0;
    /** ∂L/∂output and ∂L/∂total of the current sample. */
    this.outputDer = 0;
    this.inputDer = 0;
    this.accInputDer = 0;
    this.numAcc = 0;
  }
}

class Link {
  /** @param {Neuron} source @param {Neuron} dest @param {number} weight */
  constructor(source, dest, weight) {
    this.source = source;
    this.dest = dest;
    this.weight = weight;
    this.accErrorDer = 0;
    this.numAcc = 0;
  }
}

export class PlaygroundJs {
  /**
   * @param {{ widths: number[], activation: Act, outputActivation: Act, loss: 'mse' | 'cross-entropy',
   *   learningRate: number, layers: { weights: Float32Array, bias: Float32Array }[] }} spec
   *   weights per layer as `[out, in]` row-major (the core's layout).
   */
  constructor(spec) {
    this.loss = spec.loss;
    this.lr = spec.learningRate;
    this.outAct = spec.outputActivation;
    const w = spec.widths;
    /** @type {Neuron[][]} */
    this.network = [w[0] > 0 ? Array.from({ length: w[0] }, () => new Neuron('linear')) : []];
    for (let l = 1; l < w.length; l += 1) {
      const act = l === w.length - 1 ? spec.outputActivation : spec.activation;
      const layer = Array.from({ length: w[l] }, () => new Neuron(act));
      const { weights, bias } = spec.layers[l - 1];
      layer.forEach((n, j) => {
        n.bias = bias[j];
        this.network[l - 1].forEach((src, i) => {
          const link = new Link(src, n, weights[j * w[l - 1] + i]);
          n.inputs.push(link);
          src.outputs.push(link);
        });
      });
      this.network.push(layer);
    }
  }

  /** @param {Float32Array} x @param {number} row */
  forward(x, row) {
    const input = this.network[0];
    const f = input.length;
    for (let i = 0; i < f; i += 1) input[i].output = x[row * f + i];
    for (let l = 1; l < this.network.length; l += 1) {
      for (const n of this.network[l]) {
        let t = n.bias;
        for (const link of n.inputs) t += link.weight * link.source.output;
        n.total = t;
        n.output = n.act.f(t);
      }
    }
    return this.network[this.network.length - 1];
  }

  /** Loss of the current sample and ∂L/∂output of each output neuron (before the batch mean). */
  lossAndOutputDer(/** @type {number} */ label) {
    const out = this.network[this.network.length - 1];
    const k = out.length;
    if (this.loss === 'mse') {
      const [lo, hi] = this.outAct === 'sigmoid' || this.outAct === 'relu' ? [0, 1] : [-1, 1];
      let sum = 0;
      out.forEach((n, j) => {
        const on = k === 1 ? label === 1 : label === j;
        const d = n.output - (on ? hi : lo);
        sum += d * d;
        n.outputDer = (2 * d) / k;
      });
      return sum / k;
    }
    let max = -Infinity;
    for (const n of out) max = Math.max(max, n.output);
    let s = 0;
    for (const n of out) s += Math.exp(n.output - max);
    const logSum = max + Math.log(s);
    out.forEach((n, j) => {
      n.outputDer = Math.exp(n.output - logSum) - (j === label ? 1 : 0);
    });
    return logSum - out[label].output;
  }

  backward() {
    for (let l = this.network.length - 1; l >= 1; l -= 1) {
      for (const n of this.network[l]) {
        n.inputDer = n.outputDer * n.act.df(n.total, n.output);
        n.accInputDer += n.inputDer;
        n.numAcc += 1;
        for (const link of n.inputs) {
          link.accErrorDer += n.inputDer * link.source.output;
          link.numAcc += 1;
        }
      }
      if (l === 1) break;
      for (const src of this.network[l - 1]) {
        let d = 0;
        for (const link of src.outputs) d += link.weight * link.dest.inputDer;
        src.outputDer = d;
      }
    }
  }

  update() {
    for (let l = 1; l < this.network.length; l += 1) {
      for (const n of this.network[l]) {
        if (n.numAcc > 0) {
          n.bias -= (this.lr * n.accInputDer) / n.numAcc;
          n.accInputDer = 0;
          n.numAcc = 0;
        }
        for (const link of n.inputs) {
          if (link.numAcc > 0) {
            link.weight -= (this.lr * link.accErrorDer) / link.numAcc;
            link.accErrorDer = 0;
            link.numAcc = 0;
          }
        }
      }
    }
  }

  /**
   * `steps` SGD steps over `order` from position `start` (wrapping around), `batch` rows each.
   * @param {Float32Array} x @param {Uint8Array} y @param {Uint32Array} order
   * @param {number} start @param {number} steps @param {number} batch
   * @returns {number} the position after the last row used
   */
  trainSteps(x, y, order, start, steps, batch) {
    let pos = start;
    for (let s = 0; s < steps; s += 1) {
      if (pos >= order.length) pos = 0;
      const end = Math.min(pos + batch, order.length);
      for (; pos < end; pos += 1) {
        this.forward(x, order[pos]);
        this.lossAndOutputDer(y[order[pos]]);
        this.backward();
      }
      this.update();
    }
    return pos;
  }

  /** Mean loss over all rows. @param {Float32Array} x @param {Uint8Array} y */
  meanLoss(x, y) {
    let sum = 0;
    for (let r = 0; r < y.length; r += 1) {
      this.forward(x, r);
      sum += this.lossAndOutputDer(y[r]);
    }
    return sum / y.length;
  }

  /** Outputs for every row of `x` (the decision-boundary grid). @param {Float32Array} x */
  predict(x) {
    const f = this.network[0].length;
    const rows = x.length / f;
    const k = this.network[this.network.length - 1].length;
    const out = new Float32Array(rows * k);
    for (let r = 0; r < rows; r += 1) {
      const o = this.forward(x, r);
      for (let j = 0; j < k; j += 1) out[r * k + j] = o[j].output;
    }
    return out;
  }
}
