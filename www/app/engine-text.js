// The engine (Rust) writes its error messages in English, with a fixed shape per error: CSV
// problems ("CSV line 3: column "b": "x" is not a number"), refused settings ("invalid
// batch_size: 0 (1 to 4096)") and a rewind to a step with no saved weights. The page shows them inside its own sentences, so in Korean the
// known shapes are translated here; values, field names and quoted cells stay as the engine
// wrote them, and a message of an unknown shape is shown unchanged.

/** @typedef {[RegExp, (...parts: string[]) => string]} Rule */

/** CSV problems (the text after "CSV line N: "), from src/data/csv.rs. @type {Rule[]} */
const CSV_KO = [
  [/^the file is (\d+) bytes; the limit is (\d+) bytes \(20 MB\)$/, (n, max) => `파일이 ${n}바이트입니다. 한도는 ${max}바이트(20 MB)입니다`],
  [/^the file is empty$/, () => '파일이 비어 있습니다'],
  [/^only a header row, no data rows$/, () => '헤더 행만 있고 데이터 행이 없습니다'],
  [/^(\d+) columns; the limit is (\d+)$/, (n, max) => `열이 ${n}개입니다. 한도는 ${max}개입니다`],
  [
    /^need at least 2 columns \(features and a label\), got 1; columns must be separated by commas$/,
    () => '열이 최소 2개(특성들과 레이블) 있어야 하는데 1개입니다. 열은 쉼표로 구분해야 합니다',
  ],
  [/^no label column named (".*"); the header has (.*)$/s, (name, header) => `${name}라는 레이블 열이 없습니다. 헤더의 열: ${header}`],
  [/^more than (\d+) data rows; the limit is (\d+)$/, (n, max) => `데이터 행이 ${n}개를 넘습니다(한도 ${max}개)`],
  [/^expected (\d+) columns, got (\d+)$/, (want, got) => `열이 ${want}개여야 하는데 ${got}개입니다`],
  [/^empty label in column (".*")$/s, (col) => `${col} 열의 레이블이 비어 있습니다`],
  [/^column (".*"): empty cell$/s, (col) => `${col} 열: 빈 칸입니다`],
  [/^column (".*"): (".*") is not a finite number$/s, (col, cell) => `${col} 열: ${cell}은(는) 유한한 수가 아닙니다`],
  [/^column (".*"): (".*") is not a number$/s, (col, cell) => `${col} 열: ${cell}은(는) 수가 아닙니다`],
  [
    /^the label column (".*") has only one class \((".*")\); need at least 2$/s,
    (col, cls) => `레이블 열 ${col}에 클래스가 하나(${cls})뿐입니다. 2개 이상 필요합니다`,
  ],
  [/^unreadable row: (.*)$/s, (why) => `읽을 수 없는 행입니다: ${why}`],
];

/** What a refused setting allows (the text in parentheses), from the core's checks. @type {Rule[]} */
const ALLOWED_KO = [
  [/^one of (.*)$/s, (list) => `${list} 중 하나`],
  [/^a positive number$/, () => '양수'],
  [/^a positive whole number$/, () => '양의 정수'],
  [/^a finite number$/, () => '유한한 수'],
  [/^a number in ([[(].*[\])])$/, (range) => `${range} 범위의 수`],
  [/^(\d+) to (\d+)$/, (lo, hi) => `${lo}–${hi}`],
  [/^between (\S+) and (\S+)$/, (lo, hi) => `${lo}–${hi}`],
  [/^only 0 and 1$/, () => '0과 1만'],
  [/^at least 1 step$/, () => '1 스텝 이상'],
  [/^each hidden layer has 1 to (\d+) neurons$/, (max) => `은닉층마다 뉴런 1–${max}개`],
  [/^at most (\d+) hidden layers$/, (max) => `은닉층 최대 ${max}개`],
  [/^at most (\d+) parameters$/, (max) => `파라미터 최대 ${max}개`],
];

/** Values that the core words as counts. @type {Rule[]} */
const VALUE_KO = [
  [/^(\d+) layers$/, (n) => `은닉층 ${n}개`],
  [/^(\d+) parameters$/, (n) => `파라미터 ${n}개`],
];

/** Whole messages. @type {Rule[]} */
const MESSAGE_KO = [
  [/^CSV line 0: (.*)$/s, (problem) => `CSV: ${translate(CSV_KO, problem) ?? problem}`],
  [/^CSV line (\d+): (.*)$/s, (line, problem) => `CSV ${line}번째 줄: ${translate(CSV_KO, problem) ?? problem}`],
  [
    /^invalid config: (\S+) is (NaN|Infinity|-Infinity) \(a finite number\)$/,
    (field, value) => `설정 ${field}의 값이 ${value}입니다(유한한 수여야 합니다)`,
  ],
  [/^invalid (\S+): (.*)\)$/s, invalidSetting],
  // Rewinding to step k (src/model/mod.rs, Mlp::rewind_to_step).
  [
    /^no weights were saved at step (\d+); the rewind point is step (\d+)$/,
    (k, saved) => `스텝 ${k}에서 저장한 가중치가 없습니다. 되감기 지점은 스텝 ${saved}입니다`,
  ],
  [
    /^no weights were saved at step (\d+); train with a rewind step first$/,
    (k) => `스텝 ${k}에서 저장한 가중치가 없습니다. 먼저 되감기 스텝을 정하고 학습하세요`,
  ],
];

/**
 * "invalid FIELD: VALUE (ALLOWED)": VALUE and ALLOWED may both hold parentheses ("(0, 10]"), so
 * every " (" is tried as the split, the first whose ALLOWED is a known shape winning.
 * @param {string} field
 * @param {string} rest VALUE (ALLOWED, without the closing parenthesis
 */
function invalidSetting(field, rest) {
  /** @type {[string, string] | null} */
  let fallback = null;
  for (let i = rest.indexOf(' ('); i >= 0; i = rest.indexOf(' (', i + 1)) {
    const value = translate(VALUE_KO, rest.slice(0, i)) ?? rest.slice(0, i);
    const allowed = rest.slice(i + 2);
    const ko = translate(ALLOWED_KO, allowed);
    if (ko !== null) return `${field} 값이 잘못되었습니다: ${value} (허용: ${ko})`;
    fallback ??= [value, allowed];
  }
  return fallback ? `${field} 값이 잘못되었습니다: ${fallback[0]} (허용: ${fallback[1]})` : `${field} 값이 잘못되었습니다: ${rest})`;
}

/**
 * @param {Rule[]} rules
 * @param {string} text
 * @returns {string | null}
 */
function translate(rules, text) {
  for (const [re, to] of rules) {
    const m = re.exec(text);
    if (m) return to(...m.slice(1));
  }
  return null;
}

/**
 * An engine message in the page's language: Korean for the shapes above, otherwise unchanged.
 * @param {string} message
 * @param {string} lang
 */
export function localizeEngineMessage(message, lang) {
  if (lang !== 'ko') return message;
  return translate(MESSAGE_KO, message) ?? message;
}
