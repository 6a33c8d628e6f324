// TensorFlow.js engine of the benchmark (cpu or wasm backend): variables for W (stored
// `[in, out]`, so the forward pass is x · W) and b, plain SGD through `optimizer.minimize`, the
// core's losses (MSE mean over batch × outputs, softmax cross-entropy mean over the batch).
// Batches are gathered into tensors before timing starts, which favours tfjs slightly.

/* global tf */

/** @param {Float32Array} w @param {number} out @param {number} inp */
function transpose(w, out, inp) {
  const t = new Float32Array(w.length);
  for (let j = 0; j < out; j += 1) for (let i = 0; i < inp; i += 1) t[i * out + j] = w[j * inp + i];
  return t;
}

export class TfjsEngine {
  /**
   * @param {any} spec as PlaygroundJs's, plus nClasses
   */
  constructor(spec) {
    this.spec = spec;
    const w = spec.widths;
    this.vars = spec.layers.map((/** @type {any} */ p, /** @type {number} */ l) => ({
      W: tf.variable(tf.tensor2d(transpose(p.weights, w[l + 1], w[l]), [w[l], w[l + 1]])),
      b: tf.variable(tf.tensor1d(p.bias)),
    }));
    this.opt = tf.train.sgd(spec.learningRate);
    /** @type {{ x: any, t: any }[]} */
    this.batches = [];
  }

  /** @param {any} x */
  forward(x) {
    const n = this.vars.length;
    let a = x;
    this.vars.forEach((v, l) => {
      const z = tf.add(tf.matMul(a, v.W), v.b);
      const act = l === n - 1 ? this.spec.outputActivation : this.spec.activation;
      a = act === 'relu' ? tf.relu(z) : act === 'tanh' ? tf.tanh(z) : act === 'sigmoid' ? tf.sigmoid(z) : z;
    });
    return a;
  }

  /** Targets as the loss wants them. @param {Uint8Array} labels */
  targets(labels) {
    const k = this.spec.widths.at(-1);
    const o = this.spec.outputActivation;
    const [lo, hi] = this.spec.loss === 'mse' ? (o === 'sigmoid' || o === 'relu' ? [0, 1] : [-1, 1]) : [0, 1];
    const t = new Float32Array(labels.length * k).fill(lo);
    labels.forEach((c, r) => {
      t[r * k + (k === 1 ? 0 : c)] = k === 1 ? (c === 1 ? hi : lo) : hi;
    });
    return tf.tensor2d(t, [labels.length, k]);
  }

  /** @param {any} out @param {any} t */
  lossOf(out, t) {
    return this.spec.loss === 'mse' ? tf.losses.meanSquaredError(t, out) : tf.losses.softmaxCrossEntropy(t, out);
  }

  /**
   * Gathers the batches of one pass over `order` into tensors (outside the timed windows).
   * @param {Float32Array} x @param {Uint8Array} y @param {Uint32Array} order @param {number} batch
   */
  prepare(x, y, order, batch) {
    const f = this.spec.widths[0];
    for (let s = 0; s < order.length; s += batch) {
      const rows = order.subarray(s, Math.min(s + batch, order.length));
      const xb = new Float32Array(rows.length * f);
      const yb = new Uint8Array(rows.length);
      rows.forEach((r, i) => {
        xb.set(x.subarray(r * f, (r + 1) * f), i * f);
        yb[i] = y[r];
      });
      this.batches.push({ x: tf.tensor2d(xb, [rows.length, f]), t: this.targets(yb) });
    }
  }

  /** `steps` SGD steps from batch index `start` (wrapping). @returns {number} next batch index */
  trainSteps(/** @type {number} */ start, /** @type {number} */ steps) {
    let i = start;
    for (let s = 0; s < steps; s += 1) {
      if (i >= this.batches.length) i = 0;
      const { x, t } = this.batches[i];
      this.opt.minimize(() => this.lossOf(this.forward(x), t));
      i += 1;
    }
    this.vars[0].b.dataSync(); // wait for the work
    return i;
  }

  /** Mean loss over all rows. @param {Float32Array} x @param {Uint8Array} y */
  meanLoss(x, y) {
    return tf.tidy(() => {
      const xt = tf.tensor2d(x, [y.length, this.spec.widths[0]]);
      return this.lossOf(this.forward(xt), this.targets(y)).dataSync()[0];
    });
  }

  /** Outputs for every row of `x` (copied out, as a page needs them to draw). @param {Float32Array} x */
  predict(x) {
    return tf.tidy(() => this.forward(tf.tensor2d(x, [x.length / this.spec.widths[0], this.spec.widths[0]])).dataSync());
  }

  dispose() {
    for (const v of this.vars) {
      v.W.dispose();
      v.b.dispose();
    }
    for (const b of this.batches) {
      b.x.dispose();
      b.t.dispose();
    }
    this.opt.dispose();
  }
}
