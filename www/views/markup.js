// The one markup of the playground, for the page and for every <pruning-playground> element
// (element.js renders it and builds the views on it). Static: no user strings; every visible text
// comes from `data-i18n*` keys (app/i18n.js, applyTranslations). The page (`page` attribute) adds
// its own parts: the skip link, the header's tools (New experiment, Embed, Export, language,
// theme), the lesson dock, the restore offer and the Embed dialog, and its layout is the <main>
// landmark; an element's layout is a <div> sized by container queries (style.css, `.embed`).
// Views marked `data-view` are the ones the `views` attribute can leave out.

const SKIP = '<a class="skip" href="#pipeline" data-i18n="app.skip"></a>';

/** Export menu items: [kind, i18n key after `export.`]. */
const EXPORTS = [
  ['png-network', 'pngNetwork'],
  ['png-boundary', 'pngBoundary'],
  ['png-training', 'pngTraining'],
  ['png-lottery', 'pngLottery'],
  ['history-csv', 'historyCsv'],
  ['history-json', 'historyJson'],
  ['lottery-csv', 'lotteryCsv'],
  ['lottery-json', 'lotteryJson'],
  ['png-runs', 'pngRuns'],
  ['runs-csv', 'runsCsv'],
  ['safetensors', 'safetensors'],
  ['safetensors-plain', 'safetensorsPlain'],
  ['safetensors-init', 'safetensorsInit'],
  ['pytorch', 'pytorch'],
];

const HEADER = `
<header class="top">
  <div class="brand">
    <h1 data-i18n="app.title"></h1>
    <p class="tagline" data-i18n="app.tagline"></p>
  </div>
  <nav class="top-links"><a class="article-link" data-testid="article-link" data-i18n="app.article" data-i18n-href="app.articleHref" href="www/article/en.html"></a></nav>
  <div class="top-tools">
    <button type="button" data-action="newExperiment" data-testid="new-experiment" data-i18n="btn.newExperiment" data-i18n-title="title.newExperiment"></button>
    <button type="button" id="embed-open" data-testid="embed" aria-haspopup="dialog" data-i18n="btn.embed" data-i18n-title="title.embed"></button>
    <div class="export-menu">
      <button type="button" data-testid="export" aria-haspopup="true" aria-expanded="false" aria-controls="export-list" data-i18n="btn.export"></button>
      <ul id="export-list" class="export-list" role="menu" hidden>${EXPORTS.map(([kind, key]) => `
        <li><button type="button" role="menuitem" data-action="export" data-kind="${kind}" data-testid="export-${kind}" data-i18n="export.${key}"></button></li>`).join('')}
      </ul>
    </div>
    <label class="inline"><span data-i18n="app.language"></span>
      <select id="lang">
        <option value="en">English</option>
        <option value="ko">한국어</option>
      </select>
    </label>
    <label class="inline"><span data-i18n="app.theme"></span>
      <select id="theme">
        <option value="auto" data-i18n="theme.auto"></option>
        <option value="light" data-i18n="theme.light"></option>
        <option value="dark" data-i18n="theme.dark"></option>
      </select>
    </label>
  </div>
</header>`;

const PIPELINE = `
  <section id="pipeline" class="pipeline" tabindex="-1">
    <h2 class="sr-only" data-i18n="view.pipeline"></h2>
    <div class="steps">
      <div class="step">
        <span class="step-label" data-i18n="step.train"></span>
        <button type="button" data-action="train" data-testid="train" data-i18n="btn.train" class="primary"></button>
      </div>
      <div class="step">
        <span class="step-label" data-i18n="step.prune"></span>
        <button type="button" data-action="prune" data-testid="prune" data-i18n="btn.prune" class="primary"></button>
      </div>
      <div class="step">
        <span class="step-label" data-i18n="step.init"></span>
        <span class="group">
          <button type="button" data-action="keep" data-testid="keep" data-i18n="btn.keep"></button>
          <button type="button" data-action="rewind" data-testid="rewind" data-i18n="btn.rewind"></button>
          <button type="button" data-action="rewindK" data-testid="rewind-k" data-i18n="btn.rewindK"></button>
          <button type="button" data-action="reinit" data-testid="reinit" data-i18n="btn.reinit"></button>
        </span>
      </div>
      <div class="step">
        <span class="step-label" data-i18n="step.retrain"></span>
        <button type="button" data-action="retrain" data-testid="retrain" data-i18n="btn.retrain" class="primary"></button>
      </div>
      <div class="step">
        <span class="step-label" data-i18n="step.evaluate"></span>
        <button type="button" data-action="evaluate" data-testid="evaluate" data-i18n="btn.evaluate"></button>
      </div>
    </div>
    <div class="runbar">
      <button type="button" data-action="play" data-testid="play" data-i18n-title="title.play" aria-pressed="false"><span class="play-label" data-i18n="btn.play"></span></button>
      <button type="button" data-action="reset" data-testid="reset" data-i18n="btn.reset" data-i18n-title="title.reset"></button>
      <button type="button" data-action="lottery" data-testid="run-lottery" data-i18n="btn.runLottery" class="primary"></button>
      <button type="button" data-action="cancel" data-testid="cancel" data-i18n="btn.cancel"></button>
    </div>`;

const DOCK = `
    <div class="lesson-dock" data-testid="lesson-dock" aria-live="polite" hidden></div>`;

const WORK = `
  <form id="controls" class="controls" autocomplete="off" novalidate></form>
  <section class="work" data-i18n-aria-label="view.playground">
    <dl class="readouts">
      <div><dt data-i18n="ro.epoch"></dt><dd data-testid="epoch">0</dd></div>
      <div><dt data-i18n="ro.trainAccuracy"></dt><dd data-testid="train-accuracy">—</dd></div>
      <div><dt data-i18n="ro.testAccuracy"></dt><dd data-testid="test-accuracy">—</dd></div>
      <div><dt data-i18n="ro.density"></dt><dd data-testid="density">—</dd></div>
      <div><dt data-i18n="ro.level"></dt><dd data-testid="level">—</dd></div>
    </dl>
    <div class="progress-row">
      <progress data-testid="progress" max="1" value="0" data-i18n-aria-label="ro.progress"></progress>
      <span class="progress-label" id="progress-label"></span>
    </div>
    <p class="message" data-testid="message" role="status" aria-live="polite"></p>
    <button type="button" class="restore-good" data-action="restoreGood" data-testid="restore-good" data-i18n="btn.restoreGood" hidden></button>`;

const RESTORE_OFFER = `
    <div class="restore-offer" data-testid="restore-offer" hidden>
      <button type="button" data-action="resumeRestore" data-testid="resume-restore" data-i18n="btn.resumeRestore"></button>
      <button type="button" class="csv-reupload" data-testid="csv-reupload" data-i18n="btn.csvReupload"></button>
      <button type="button" data-action="discardRestore" data-testid="discard-restore" data-i18n="btn.discardRestore"></button>
    </div>`;

/**
 * The lottery chart's preset buttons: the page's. An element shows the experiment its author set
 * up (a `preset` attribute picks one), so a button that replaces it with MNIST stays out.
 */
const CURVE_PRESETS = `      <div class="curve-presets">
        <button type="button" data-preset="frankle-carbin-lenet" data-testid="preset-frankle-carbin-lenet" data-i18n="preset.frankleCarbin" data-i18n-title="preset.frankleCarbinTitle"></button>
      </div>
`;

const VIEWS = `
    <figure class="view network" data-testid="network" data-view="network">
      <figcaption><span data-i18n="view.network"></span> <span class="hint" id="network-hint"></span></figcaption>
      <div class="network-body" id="network-body"></div>
      <div class="legend">
        <span class="key pos" data-i18n="legend.positive"></span>
        <span class="key neg" data-i18n="legend.negative"></span>
        <span class="key pruned" data-i18n="legend.pruned"></span>
      </div>
      <output class="tooltip" id="network-tip" hidden></output>
    </figure>
    <div class="pair">
      <figure class="view boundary" data-testid="boundary" data-view="boundary">
        <figcaption data-i18n="view.boundary"></figcaption>
        <canvas id="boundary-canvas" width="320" height="320"></canvas>
        <p class="hint" id="boundary-hint"></p>
      </figure>
      <figure class="view neurons" id="neurons-view" data-view="neurons">
        <figcaption data-i18n="view.neurons"></figcaption>
        <div id="neuron-maps" class="neuron-maps"></div>
      </figure>
    </div>
  </section>
  <section class="side">
    <figure class="view chart" data-testid="training-chart" data-view="training">
      <figcaption data-i18n="view.training"></figcaption>
      <svg id="training-svg" viewBox="0 0 420 200" role="img" data-i18n-aria-label="view.training"></svg>
      <div class="legend" id="training-legend"></div>
    </figure>
    <figure class="view chart" data-testid="curve" data-view="curve">
      <figcaption data-i18n="view.curve"></figcaption>
${CURVE_PRESETS}      <svg id="curve-svg" viewBox="0 0 420 220" role="img" data-i18n-aria-label="view.curve"></svg>
      <svg id="curve-epoch-svg" viewBox="0 0 420 160" role="img" data-i18n-aria-label="view.curveEpoch"></svg>
      <div class="legend" id="curve-legend"></div>
      <p class="hint" id="curve-trials" data-testid="curve-trials" hidden></p>
      <p class="hint" id="curve-empty" data-i18n="curve.empty"></p>
      <button type="button" data-action="adopt" data-testid="adopt" data-i18n="btn.adopt" data-i18n-title="title.adopt"></button>
    </figure>
    <figure class="view chart masks" data-testid="masks" data-view="masks">
      <figcaption data-i18n="view.masks"></figcaption>
      <select id="masks-level" data-testid="masks-level" data-i18n-aria-label="masks.pick" hidden></select>
      <div id="masks-body"></div>
      <p class="hint" id="masks-empty" data-i18n="masks.empty"></p>
    </figure>
    <figure class="view chart" data-testid="density-bars" data-view="density">
      <figcaption data-i18n="view.density"></figcaption>
      <svg id="density-svg" viewBox="0 0 420 120" role="img" data-i18n-aria-label="view.density"></svg>
    </figure>
    <section class="view chart toolkit" data-testid="toolkit" data-view="toolkit" aria-labelledby="toolkit-title">
      <h2 id="toolkit-title" data-i18n="view.toolkit"></h2>
      <h3 data-i18n="sens.title"></h3>
      <p class="hint" data-i18n="sens.intro"></p>
      <button type="button" data-action="scan" data-testid="scan" data-i18n="btn.scan"></button>
      <p class="hint" data-testid="scan-note" aria-live="polite"></p>
      <svg id="sens-curves" data-testid="sens-curves" viewBox="0 0 420 200" role="img" data-i18n-aria-label="sens.curves"></svg>
      <div class="legend" id="sens-legend"></div>
      <svg id="sens-bars" data-testid="sens-bars" viewBox="0 0 420 110" role="img" data-i18n-aria-label="sens.bars"></svg>
      <div class="sens-rates">
        <label class="inline"><span data-i18n="sens.maxDrop"></span>
          <input type="number" data-testid="max-drop" min="0" max="100" step="0.5" value="1" inputmode="decimal">
        </label>
        <button type="button" data-testid="use-rates" data-i18n="btn.useRates" data-i18n-title="title.useRates"></button>
      </div>
      <p class="hint" data-testid="rates-out" aria-live="polite"></p>
      <h3 data-i18n="nm.title"></h3>
      <p class="hint" data-i18n="nm.intro"></p>
      <button type="button" data-action="pruneNM" data-testid="prune-nm" data-i18n="btn.pruneNM"></button>
      <h3 data-i18n="pai.title"></h3>
      <p class="hint" data-i18n="pai.intro"></p>
      <button type="button" data-action="pai" data-testid="pai" data-i18n="btn.pai"></button>
      <p class="hint" data-testid="pai-note" aria-live="polite"></p>
      <svg id="pai-svg" data-testid="pai-chart" viewBox="0 0 420 220" role="img" data-i18n-aria-label="pai.title"></svg>
      <div class="legend" id="pai-legend"></div>
    </section>
    <figure class="view chart" data-testid="histogram" data-view="histogram">
      <figcaption data-i18n="view.histogram"></figcaption>
      <svg id="histogram-svg" viewBox="0 0 420 170" role="img" data-i18n-aria-label="view.histogram"></svg>
      <div class="legend" id="histogram-legend"></div>
    </figure>
    <section class="view costs" data-testid="costs" data-view="costs" aria-labelledby="costs-title">
      <h2 id="costs-title" data-i18n="view.costs"></h2>
      <dl id="costs-list" class="costs-list"></dl>
      <button type="button" data-action="measure" data-testid="measure" data-i18n="btn.measure"></button>
      <p class="hint" data-i18n="cost.note"></p>
    </section>
    <section class="view chart runs" data-testid="runs" data-view="runs" aria-labelledby="runs-title">
      <h2 id="runs-title" data-i18n="view.runs"></h2>
      <p class="hint" data-i18n="runs.intro"></p>
      <button type="button" data-action="keepRun" data-testid="keep-run" data-i18n="btn.keepRun" data-i18n-title="title.keepRun"></button>
      <p class="hint" id="runs-empty" data-i18n="runs.empty"></p>
      <ul id="runs-list" class="runs-list" data-testid="runs-list"></ul>
      <fieldset class="runs-mode">
        <legend data-i18n="runs.mode"></legend>
        <label class="inline"><input type="radio" name="runs-mode" value="density" data-testid="runs-mode-density" checked><span data-i18n="runs.modeDensity"></span></label>
        <label class="inline"><input type="radio" name="runs-mode" value="epoch" data-testid="runs-mode-epoch"><span data-i18n="runs.modeEpoch"></span></label>
      </fieldset>
      <svg id="runs-svg" data-testid="runs-chart" viewBox="0 0 420 220" role="img" data-i18n-aria-label="runs.chart"></svg>
      <div class="legend" id="runs-legend" data-testid="runs-legend"></div>
      <p class="hint" id="runs-nothing" data-i18n="runs.nothingShown"></p>
      <div class="runs-table-box"><table id="runs-table" class="runs-table" data-testid="runs-table"></table></div>
    </section>
    <section class="view lessons" data-testid="lessons" data-view="lessons" aria-labelledby="lessons-title">
      <h2 id="lessons-title" data-i18n="view.lessons"></h2>
      <label class="inline"><span data-i18n="lesson.choose"></span>
        <select id="lesson-select"></select>
      </label>
      <button type="button" id="lesson-load" data-i18n="btn.loadLesson"></button>
      <button type="button" id="lesson-leave" data-testid="lesson-leave" data-i18n="btn.leaveLesson" hidden></button>
      <div id="lesson-body" class="lesson-body"></div>
    </section>
  </section>`;

const DIALOG = `
<dialog id="embed-dialog" class="embed-dialog" data-testid="embed-dialog" aria-labelledby="embed-title">
  <h2 id="embed-title" data-i18n="embed.title"></h2>
  <p class="hint" data-i18n="embed.note"></p>
  <div class="snippet">
    <label for="embed-element" data-i18n="embed.element"></label>
    <textarea id="embed-element" data-testid="embed-element" readonly rows="5" spellcheck="false"></textarea>
    <button type="button" data-copy="embed-element" data-testid="copy-element" data-i18n="embed.copy"></button>
  </div>
  <div class="snippet">
    <label for="embed-iframe" data-i18n="embed.iframe"></label>
    <textarea id="embed-iframe" data-testid="embed-iframe" readonly rows="3" spellcheck="false"></textarea>
    <button type="button" data-copy="embed-iframe" data-testid="copy-iframe" data-i18n="embed.copy"></button>
  </div>
  <p class="hint" id="embed-status" data-testid="embed-status" role="status" aria-live="polite"></p>
  <form method="dialog"><button type="submit" data-testid="embed-close" data-i18n="embed.close"></button></form>
</dialog>`;

/**
 * The markup as HTML text (a constant per `page`: safe for innerHTML).
 * @param {boolean} page  the page's instance: its own parts and the <main> landmark
 */
export function markup(page) {
  return page
    ? `${SKIP}${HEADER}\n<main class="layout">${PIPELINE}${DOCK}\n  </section>${WORK}${RESTORE_OFFER}${VIEWS}\n</main>${DIALOG}`
    : `<div class="embed">${PIPELINE}\n  </section>${WORK}${VIEWS.replace(CURVE_PRESETS, '')}\n</div>`;
}
