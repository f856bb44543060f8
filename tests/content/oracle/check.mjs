// The differential test of src/content against Atlassian's own converters (run it through
// oracle_check.sh, which installs them and builds content_convert).
//
//   node check.mjs CONTENT_CONVERT [--case NAME] [--all-diffs]
//
// Each file in corpus/ is one case, by extension: *.wiki (wiki markup as Jira Data Center users
// write it), *.adf.json (an ADF document as Jira Cloud stores it), *.md (Markdown an agent
// writes; plain CommonMark plus GFM tables). The checks, each named as in reviewed.txt:
//   valid          every ADF our converters produce validates with @atlaskit/adf-utils'
//                  validator: md->adf, wiki->adf, and for ADF cases adf->wiki->adf and
//                  adf->md->adf. (The corpus's own ADF must validate too: a corpus error, never
//                  reviewable.)
//   wiki-adf       wiki cases: our wiki->ADF against Atlaskit's (WikiMarkupTransformer.parse).
//   adf-wiki-adf   ADF cases: ADF->wiki->ADF through ours against the same through Atlaskit.
//   wiki-out       what Atlaskit's wiki parser reads from the wiki WE write, against what it
//                  reads from the wiki it writes itself (ADF cases) or against our own ADF for
//                  the Markdown (md cases): Atlaskit's parser stands in for Jira's renderer, so
//                  this catches markup we emit that a reader takes differently (unescaped
//                  emoticons, pipes, dashes...).
//   md-adf         Markdown cases: our Markdown->ADF against Atlaskit's MarkdownTransformer.
//   wiki-rt        the Data Center read-then-write: an agent reads a wiki document as Markdown
//                  and writes it back unchanged (ours: wiki->md->wiki). Atlaskit's reader reads
//                  the result and the original; they must agree.
//   adf-rt         the Cloud read-then-write: ADF->md->ADF through ours against the original
//                  ADF (Atlaskit only validates here). Every loss is an ours-wrong entry
//                  (issue 14, lossless round trip).
//
// Normalisation before comparing (so that only differences in meaning remain):
//   - localId attributes are dropped (random in Atlaskit, sequential in ours);
//   - attributes whose value is null or "" are dropped, then empty attrs/marks/content members;
//   - object keys are compared in sorted order (attribute order is irrelevant in JSON);
//   - marks are sorted by type and attributes (ProseMirror keeps them in schema order, we in
//     nesting order: the same formatting);
//   - adjacent text nodes with equal marks are merged (a split is invisible);
//   - colours (textColor, panel/table backgrounds) are compared in lower case;
//   - attributes at their schema default are dropped (table isNumberColumnEnabled false and
//     layout "default", orderedList order 1);
//   - strong marks inside tableHeader cells are dropped (Atlaskit's wiki parser bolds every
//     ||header|| cell's text; a header cell is shown bold either way).
// Anything else is a difference: printed as a line diff of an outline of both documents, and
// identified by case, check and a hash of the two normalised documents.
//
// reviewed.txt lists each known difference with a judgement. The run fails when a difference
// is not listed (new: judge it) or a listed one no longer occurs (stale: remove it), so the list
// always says exactly what differs today.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { wikiToAdf, adfToWiki, mdToAdf, validationErrors } from './atlaskit.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const convertBin = args[0];
if (!convertBin) {
  console.error('usage: node check.mjs CONTENT_CONVERT [--case NAME] [--all-diffs]');
  process.exit(2);
}
const onlyCase = args.includes('--case') ? args[args.indexOf('--case') + 1] : null;
const showAll = args.includes('--all-diffs');

// ---- our converters, through content_convert ----------------------------------------------

function ours(from, to, input) {
  const r = spawnSync(convertBin, ['--from', from, '--to', to], {
    input: typeof input === 'string' ? input : JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`content_convert --from ${from} --to ${to} failed (${r.status}): ${r.stderr}`);
  return to === 'adf' ? JSON.parse(r.stdout) : r.stdout;
}

// ---- normalisation -------------------------------------------------------------------------

const colourAttrs = new Set(['color', 'background', 'backgroundColor', 'panelColor']);

const defaults = {
  table: { isNumberColumnEnabled: false, layout: 'default' },
  orderedList: { order: 1 },
};

function normalise(node, inHeader = false) {
  if (Array.isArray(node)) return mergeText(node.map((n) => normalise(n, inHeader)));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const key of Object.keys(node).sort()) {
    let value = node[key];
    if (key === 'attrs' && value && typeof value === 'object') {
      const attrs = {};
      for (const a of Object.keys(value).sort()) {
        let v = value[a];
        if (a === 'localId' || v === null || v === '' || v === undefined) continue;
        if (defaults[node.type] && defaults[node.type][a] === v) continue;
        if (colourAttrs.has(a) && typeof v === 'string') v = v.toLowerCase();
        attrs[a] = normalise(v);
      }
      if (Object.keys(attrs).length) out.attrs = attrs;
      continue;
    }
    if (key === 'marks' && Array.isArray(value)) {
      const marks = value.filter((m) => !(inHeader && m && m.type === 'strong')).map((m) => normalise(m))
        .sort((x, y) => canon(x).localeCompare(canon(y)));
      if (marks.length) out.marks = marks;
      continue;
    }
    if (key === 'content' && Array.isArray(value) && value.length === 0) continue;
    out[key] = normalise(value, inHeader || node.type === 'tableHeader');
  }
  return out;
}

function mergeText(nodes) {
  const out = [];
  for (const n of nodes) {
    const last = out[out.length - 1];
    if (last && last.type === 'text' && n && n.type === 'text' &&
        canon(last.marks || []) === canon(n.marks || [])) {
      out[out.length - 1] = { ...last, text: last.text + n.text };
    } else {
      out.push(n);
    }
  }
  return out;
}

function canon(value) {
  if (Array.isArray(value)) return `[${value.map(canon).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canon(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// ---- an outline of a document, one node a line, for readable diffs -------------------------

function outline(node, depth = 0, lines = []) {
  const pad = '  '.repeat(depth);
  if (!node || typeof node !== 'object') {
    lines.push(pad + JSON.stringify(node));
    return lines;
  }
  const attrs = node.attrs ? ' ' + canon(node.attrs) : '';
  const marks = node.marks ? ' ' + node.marks.map((m) => m.type + (m.attrs ? canon(m.attrs) : '')).join(' ') : '';
  if (node.type === 'text') {
    lines.push(`${pad}${JSON.stringify(node.text)}${marks}`);
  } else {
    lines.push(`${pad}${node.type}${attrs}${marks}`);
  }
  for (const child of node.content || []) outline(child, depth + 1, lines);
  return lines;
}

// A plain LCS line diff ("-" ours only, "+" Atlaskit only); the documents are small.
function lineDiff(a, b) {
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; --i) {
    for (let j = m - 1; j >= 0; --j) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push('  ' + a[i]);
      ++i;
      ++j;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push('+ ' + b[j++]);
    } else {
      out.push('- ' + a[i++]);
    }
  }
  // Keep two lines of context around each change.
  const keep = out.map((line, k) => out.slice(Math.max(0, k - 2), k + 3).some((l) => !l.startsWith('  ')));
  const shown = [];
  out.forEach((line, k) => {
    if (keep[k]) shown.push(line);
    else if (shown[shown.length - 1] !== '  ...') shown.push('  ...');
  });
  return shown;
}

const hash = (...parts) => createHash('sha256').update(parts.map(canon).join('\n')).digest('hex').slice(0, 10);

// ---- the checks ----------------------------------------------------------------------------

const differences = [];  // {case, check, id, text}

function compare(name, check, label, ourDoc, theirDoc, theirLabel = 'Atlaskit') {
  const a = normalise(ourDoc);
  const b = normalise(theirDoc);
  if (canon(a) === canon(b)) return;
  const diff = lineDiff(outline(a), outline(b));
  differences.push({
    case: name,
    check,
    id: hash(a, b),
    text: [`${label}  (- ours, + ${theirLabel})`, ...diff.map((l) => '    ' + l)].join('\n'),
  });
}

function mustValidate(name, label, doc) {
  const errors = validationErrors(doc);
  if (!errors.length) return;
  differences.push({
    case: name,
    check: 'valid',
    id: hash(label, errors),
    text: [`${label}: Atlassian's validator rejects the ADF we produce:`, ...errors.map((e) => '    ' + e),
      '  our ADF:', ...outline(normalise(doc)).map((l) => '    ' + l)].join('\n'),
  });
}

const corpusErrors = [];

function runCase(file) {
  const name = path.basename(file);
  const text = readFileSync(file, 'utf8');
  if (name.endsWith('.wiki')) {
    const ourAdf = ours('wiki', 'adf', text);
    mustValidate(name, 'wiki->adf', ourAdf);
    const theirAdf = wikiToAdf(text);
    compare(name, 'wiki-adf', 'wiki->ADF', ourAdf, theirAdf);
    compare(name, 'wiki-rt', 'Atlaskit reading our wiki->md->wiki vs the original', wikiToAdf(ours('md', 'wiki', ours('wiki', 'md', text))),
      theirAdf, 'Atlaskit reading the original');
  } else if (name.endsWith('.adf.json')) {
    const doc = JSON.parse(text);
    const errors = validationErrors(doc);
    if (errors.length) corpusErrors.push(`${name}: not valid ADF: ${errors.join('; ')}`);
    const ourWiki = ours('adf', 'wiki', doc);
    const ourRoundTrip = ours('wiki', 'adf', ourWiki);
    mustValidate(name, 'adf->wiki->adf', ourRoundTrip);
    const ourMdRoundTrip = ours('md', 'adf', ours('adf', 'md', doc));
    mustValidate(name, 'adf->md->adf', ourMdRoundTrip);
    compare(name, 'adf-rt', 'ADF->md->ADF vs the original', ourMdRoundTrip, doc, 'the original');
    const theirWiki = adfToWiki(doc);
    const theirRoundTrip = wikiToAdf(theirWiki);
    compare(name, 'adf-wiki-adf', 'ADF->wiki->ADF', ourRoundTrip, theirRoundTrip);
    compare(name, 'wiki-out', 'Atlaskit reading our wiki vs its own', wikiToAdf(ourWiki), theirRoundTrip,
      'Atlaskit reading its own wiki');
  } else if (name.endsWith('.md')) {
    const ourAdf = ours('md', 'adf', text);
    mustValidate(name, 'md->adf', ourAdf);
    compare(name, 'md-adf', 'Markdown->ADF', ourAdf, mdToAdf(text));
    compare(name, 'wiki-out', 'Atlaskit reading our md->wiki vs our md->ADF', wikiToAdf(ours('md', 'wiki', text)),
      ourAdf, 'our ADF');
  } else {
    corpusErrors.push(`${name}: unknown extension (use .wiki, .adf.json or .md)`);
  }
}

// ---- the reviewed list ---------------------------------------------------------------------

// Each line: CASE CHECK ID VERDICT judgement...; VERDICT is ours-wrong, atlaskit-wrong,
// representational or format-limit. '#' starts a comment line.
const verdicts = new Set(['ours-wrong', 'atlaskit-wrong', 'representational', 'format-limit']);

function readReviewed() {
  const entries = new Map();
  const problems = [];
  const lines = readFileSync(path.join(here, 'reviewed.txt'), 'utf8').split('\n');
  lines.forEach((line, k) => {
    if (!line.trim() || line.startsWith('#')) return;
    const [c, check, id, verdict, ...rest] = line.trim().split(/\s+/);
    const key = `${c} ${check} ${id}`;
    if (!verdicts.has(verdict) || !rest.length) {
      problems.push(`reviewed.txt:${k + 1}: needs CASE CHECK ID VERDICT JUDGEMENT (verdict: ${[...verdicts].join(', ')})`);
    } else if (entries.has(key)) {
      problems.push(`reviewed.txt:${k + 1}: ${key} is listed twice`);
    } else {
      entries.set(key, { verdict, judgement: rest.join(' '), line: k + 1 });
    }
  });
  return { entries, problems };
}

// ---- main ----------------------------------------------------------------------------------

const corpusDir = path.join(here, 'corpus');
const files = readdirSync(corpusDir).filter((f) => !f.startsWith('.')).sort()
  .filter((f) => !onlyCase || f === onlyCase).map((f) => path.join(corpusDir, f));
if (!files.length) {
  console.error(`oracle: no corpus case${onlyCase ? ` named ${onlyCase}` : ''} in ${corpusDir}`);
  process.exit(1);
}
for (const f of files) {
  try {
    runCase(f);
  } catch (e) {
    corpusErrors.push(`${path.basename(f)}: ${e.stack || e.message}`);
  }
}

const { entries, problems } = readReviewed();
const seen = new Set();
const unreviewed = [];
const counts = { 'ours-wrong': 0, 'atlaskit-wrong': 0, representational: 0, 'format-limit': 0 };
for (const d of differences) {
  const key = `${d.case} ${d.check} ${d.id}`;
  const entry = entries.get(key);
  if (entry) {
    seen.add(key);
    counts[entry.verdict]++;
    if (showAll) console.log(`reviewed (${entry.verdict}: ${entry.judgement})\n${key}\n${d.text}\n`);
  } else {
    unreviewed.push(d);
  }
}
const stale = [...entries.keys()].filter((k) => !seen.has(k) && (!onlyCase || k.startsWith(onlyCase + ' ')));

for (const d of unreviewed) {
  // A changed difference shows up as new + stale: show the old judgement to re-judge it.
  const was = stale.filter((k) => k.startsWith(`${d.case} ${d.check} `))
    .map((k) => `  (was ${k.split(' ')[2]}: ${entries.get(k).verdict} ${entries.get(k).judgement})`);
  console.log(`NEW DIFFERENCE ${d.case} ${d.check} ${d.id}\n${[...was, d.text].join('\n')}\n`);
}
for (const k of stale) {
  console.log(`STALE reviewed.txt:${entries.get(k).line}: ${k} no longer occurs (remove it; if it was ours-wrong, it is fixed)`);
}
for (const p of [...problems, ...corpusErrors]) console.log(`ERROR ${p}`);

console.log(`oracle: ${files.length} cases, ${differences.length} differences ` +
  `(${counts['ours-wrong']} ours-wrong, ${counts['atlaskit-wrong']} atlaskit-wrong, ` +
  `${counts.representational} representational, ${counts['format-limit']} format-limit reviewed; ` +
  `${unreviewed.length} new, ${stale.length} stale)` +
  (problems.length + corpusErrors.length ? `, ${problems.length + corpusErrors.length} errors` : ''));
if (unreviewed.length) {
  console.log('Judge each new difference and add a line to tests/content/oracle/reviewed.txt:');
  for (const d of unreviewed) console.log(`  ${d.case} ${d.check} ${d.id} VERDICT judgement`);
}
process.exitCode = unreviewed.length || stale.length || problems.length || corpusErrors.length ? 1 : 0;
